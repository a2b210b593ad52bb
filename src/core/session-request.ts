import { paneTitle } from './agent-command.js';
import type { PaneSpec, RunManifest, SessionRequest } from './types.js';

/**
 * What the multiplexer is asked to start for a run: one pane per candidate, each running the launcher.
 * `launcher` is the pane program up to the run's words (io/launcher-path.ts's launcherPrefix);
 * `launchOptions` are added after them (`--resume` when attach recreates a session).
 */
export function sessionRequest(
  manifest: RunManifest,
  dir: string,
  launcher: readonly string[],
  launchOptions: readonly string[] = [],
): SessionRequest {
  return {
    session: manifest.mux.session ?? '',
    window: manifest.task,
    layout: manifest.mux.layout,
    panes: panesFor(manifest, dir, launcher, launchOptions),
    stateDir: dir,
    ...(manifest.mux.tab ? { tab: true } : {}),
  };
}

function panesFor(
  manifest: RunManifest,
  dir: string,
  launcher: readonly string[],
  launchOptions: readonly string[],
): PaneSpec[] {
  return manifest.candidates.map((candidate) => ({
    title: paneTitle(manifest, candidate),
    cwd: candidate.worktree,
    argv: [...launcher, manifest.task, String(candidate.n), dir, ...launchOptions],
  }));
}
