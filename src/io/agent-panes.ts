import { paneTitle } from '../core/agent-command.js';
import type { RunManifest } from '../core/types.js';
import { driverFor } from './drivers.js';
import { TmuxDriver } from './tmux.js';
import { ZellijPanes } from './zellij-panes.js';

/** One candidate's pane, as `status` and `send` need it, whatever the multiplexer. */
export interface CandidatePane {
  n: number;
  id: string;
  dead: boolean;
  deadStatus: number | null;
}

/**
 * The panes of a run's agents, over tmux or Zellij. Answers are null where the multiplexer cannot tell
 * (no multiplexer, or a Zellij older than 0.44 that cannot address panes), and callers then rely on the
 * launcher's records and file activity alone.
 */
export interface AgentPanes {
  sessionAlive(): Promise<boolean | null>;
  /** Panes by candidate number; null when panes cannot be listed. */
  panes(): Promise<Map<number, CandidatePane> | null>;
  /** The pane's screen text, or null. */
  content(pane: CandidatePane): Promise<string | null>;
  /** The screens of several panes, by candidate number, read at once (tmux: one process for all). */
  contents(panes: CandidatePane[]): Promise<Map<number, string | null>>;
  send(pane: CandidatePane, text: string): Promise<void>;
}

export async function agentPanesFor(manifest: RunManifest, env: NodeJS.ProcessEnv): Promise<AgentPanes> {
  const session = manifest.mux.session;
  if (session === null || manifest.mux.kind === 'none') return noPanes;
  const driver = await driverFor(manifest.mux.kind, env);
  const sessionAlive = () => driver.sessionExists(session);
  if (manifest.mux.kind === 'tmux') {
    const tmux = driver instanceof TmuxDriver ? driver : new TmuxDriver(env);
    // One `list-panes` answers both questions: it fails when the session is gone.
    let listing: ReturnType<TmuxDriver['listPanes']> | undefined;
    const listed = () => {
      listing ??= tmux.listPanes(session);
      return listing;
    };
    return {
      sessionAlive: async () => (await listed()) !== null,
      panes: async () =>
        byCandidate(
          manifest,
          ((await listed()) ?? []).map((p) => ({
            id: p.id,
            title: p.name,
            dead: p.dead,
            deadStatus: p.status,
          })),
        ),
      content: (pane) => tmux.capturePane(pane.id),
      contents: async (panes) => {
        const screens = await tmux.capturePanes(panes.map((p) => p.id));
        return new Map(panes.map((p) => [p.n, screens.get(p.id) ?? null]));
      },
      send: (pane, text) => tmux.sendLiteral(pane.id, text),
    };
  }
  const zellij = new ZellijPanes(env);
  return {
    sessionAlive,
    panes: async () => {
      const listed = await zellij.listPanes(session);
      if (listed === null) return null;
      return byCandidate(
        manifest,
        listed.map((p) => ({ id: p.id, title: p.title, dead: p.exited, deadStatus: p.exitStatus })),
      );
    },
    content: (pane) => zellij.dumpScreen(session, pane.id),
    contents: async (panes) =>
      new Map(
        await Promise.all(panes.map(async (p) => [p.n, await zellij.dumpScreen(session, p.id)] as const)),
      ),
    send: (pane, text) => zellij.sendText(session, pane.id, text),
  };
}

const noPanes: AgentPanes = {
  sessionAlive: async () => null,
  panes: async () => null,
  content: async () => null,
  contents: async () => new Map(),
  send: async () => {},
};

/**
 * Matches panes to candidates by the title every pane is given (`<task>-<n> · <agent> · :<PORT>`): the
 * exact title first, else its `<task>-<n> ·` prefix (a pane option the agent cannot overwrite in tmux;
 * in Zellij the frame title we set).
 */
function byCandidate(
  manifest: RunManifest,
  panes: { id: string; title: string; dead: boolean; deadStatus: number | null }[],
): Map<number, CandidatePane> {
  const found = new Map<number, CandidatePane>();
  for (const candidate of manifest.candidates) {
    const title = paneTitle(manifest, candidate);
    const prefix = `${manifest.task}-${candidate.n} ·`;
    const pane = panes.find((p) => p.title === title) ?? panes.find((p) => p.title.startsWith(prefix));
    if (pane)
      found.set(candidate.n, { n: candidate.n, id: pane.id, dead: pane.dead, deadStatus: pane.deadStatus });
  }
  return found;
}
