import { describeCommand } from '../core/command-text.js';
import { sessionRequest } from '../core/session-request.js';
import { UsageError } from '../errors.js';
import { driverFor } from '../io/drivers.js';
import { pathExists } from '../io/files.js';
import { readRepo } from '../io/git.js';
import { launcherPrefix } from '../io/launcher-path.js';
import { requireManifest } from '../io/state.js';
import type { Reporter } from '../output/reporter.js';

export interface AttachArgs {
  task: string;
  restart: boolean;
  attach: boolean;
}

/**
 * `git parallel attach <task>`: to the run's session, recreating it from the recorded layout when it is
 * gone (after a reboot, or a killed server). In a recreated session an agent that had already exited
 * is not started again unless --restart: its pane opens a shell in the worktree instead. An agent that
 * was still running when the session ended was interrupted, so it starts again.
 */
export async function attachRun(
  args: AttachArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter; isTerminal: boolean },
): Promise<void> {
  const repo = await readRepo(io.cwd);
  const { manifest, dir } = await requireManifest(repo.commonDir, args.task);
  const session = manifest.mux.session;
  if (manifest.mux.kind === 'none' || !session) {
    throw new UsageError(
      `the run ${args.task} has no multiplexer session; start its agents with git parallel launch ${args.task} <n>`,
    );
  }
  const driver = await driverFor(manifest.mux.kind, io.env, manifest.repo.root);
  let recreated = false;
  if (!(await driver.sessionExists(session))) {
    if (manifest.mux.tab)
      throw new UsageError(
        `the Zellij session ${session} that held ${args.task} is gone; start the run again`,
      );
    const missing = [];
    for (const c of manifest.candidates) if (!(await pathExists(c.worktree))) missing.push(c.name);
    if (missing.length > 0) {
      throw new UsageError(
        `cannot recreate ${args.task}: the worktree of ${missing.join(', ')} is gone; git parallel rm ${args.task} cleans up`,
      );
    }
    await driver.createSession(
      sessionRequest(manifest, dir, launcherPrefix(), ['--resume', ...(args.restart ? ['--restart'] : [])]),
    );
    recreated = true;
    io.reporter.info(
      `Recreated the ${manifest.mux.kind} session ${session}${args.restart ? ', restarting every agent' : ''}.`,
    );
  }
  const command = driver.attachCommand(session, args.task);
  io.reporter.document({ task: args.task, session, recreated, attach: command });
  if (args.attach && io.isTerminal) {
    await driver.attach(session, args.task);
  } else if (!io.reporter.json) {
    io.reporter.print(
      `Attach: ${(await driver.attachHint?.(session, args.task)) ?? describeCommand(command)}`,
    );
  }
}
