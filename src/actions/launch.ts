import { candidateNumbered } from '../core/run-candidates.js';
import { readCallerEnv } from '../io/caller-env.js';
import { runOnTerminal } from '../io/exec.js';
import { readRepo } from '../io/git.js';
import { requireManifestAt, runDir } from '../io/state.js';
import { planPane, writePaneScript } from './pane-plan.js';

export interface LaunchArgs {
  task: string;
  n: number;
  stateDir?: string;
  /** The session is being recreated (`attach`): an agent that already exited is not started again… */
  resume?: boolean;
  /** …unless the user asked for it. */
  restart?: boolean;
  /** Write the pane script and exit: the pane's `sh` runs it (see core/pane-script.ts). */
  handOver?: boolean;
}

/**
 * The pane's program: sets the candidate's environment, prints a one-line header, starts the agent with
 * the prompt in the agent's own syntax (argv or a file on stdin, never a shell string), records start,
 * pid and exit status, and afterwards leaves a shell open in the worktree so the pane stays usable.
 *
 * Node does the reading and deciding and then leaves (issue 18): it writes the script of
 * core/pane-script.ts (planned by actions/pane-plan.ts, as run creation plans the scripts it writes
 * ahead), which a small `sh` runs for the agent's whole life. With `--hand-over` (what panes run when no
 * script was written ahead, see PANE_SHELL) Node exits and the pane's own `sh` sources the script;
 * without it (a person typing `git parallel launch` for a `--mux none` run) Node runs the script itself
 * and waits.
 */
export async function launch(
  args: LaunchArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WriteStream },
): Promise<number> {
  const dir = args.stateDir ?? runDir((await readRepo(io.cwd)).commonDir, args.task);
  const { manifest } = await requireManifestAt(dir, args.task);
  const candidate = candidateNumbered(manifest, args.n);
  // The caller's variables over the multiplexer server's (see io/caller-env.ts), the candidate's over both.
  const env = { pane: io.env, caller: await readCallerEnv(dir) };
  const plan = await planPane(dir, manifest, candidate, { env, resume: args.resume, restart: args.restart });
  const script = await writePaneScript(plan);
  if (args.handOver) return 0;

  // Ctrl-C in the terminal reaches the whole foreground process group; it is meant for the agent.
  process.on('SIGINT', () => {});
  try {
    const ended = await runOnTerminal('/bin/sh', [script], { cwd: candidate.worktree, env: io.env });
    return ended.exitCode ?? 1;
  } catch (error) {
    process.stderr.write(`[git-parallel] could not start /bin/sh: ${(error as Error).message}\n`);
    return 127;
  }
}
