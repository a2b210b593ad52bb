import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { candidateEnv, paneTitle, withPrompt } from '../core/agent-command.js';
import {
  environmentChanges,
  type PaneScriptPlan,
  paneScriptName,
  renderPaneScript,
} from '../core/pane-script.js';
import { candidateNumbered } from '../core/run-candidates.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { installAgentHooks } from '../io/agent-hooks.js';
import { readCallerEnv } from '../io/caller-env.js';
import { runOnTerminal } from '../io/exec.js';
import { writeFileAtomic } from '../io/files.js';
import { readRepo } from '../io/git.js';
import { readSetupFailure, setupFailureLines } from '../io/prepared-state.js';
import { sandboxedArgv } from '../io/sandbox.js';
import { readAgentRecord, requireManifestAt, runDir } from '../io/state.js';

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
 * core/pane-script.ts, which a small `sh` runs for the agent's whole life. With `--hand-over` (what panes
 * run, see io/launcher-path.ts) Node exits and the pane's own `sh` sources the script; without it (a
 * person typing `git parallel launch` for a `--mux none` run) Node runs the script itself and waits.
 */
export async function launch(
  args: LaunchArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WriteStream },
): Promise<number> {
  const dir = args.stateDir ?? runDir((await readRepo(io.cwd)).commonDir, args.task);
  const { manifest } = await requireManifestAt(dir, args.task);
  const candidate = candidateNumbered(manifest, args.n);

  // The caller's variables over the multiplexer server's (see io/caller-env.ts), the candidate's over both.
  const env = { ...io.env, ...(await readCallerEnv(dir)), ...candidateEnv(manifest, candidate) };
  io.out.write(`${header(manifest, candidate)}\n`);

  const plan: PaneScriptPlan = {
    stateDir: dir,
    n: candidate.n,
    worktree: candidate.worktree,
    exports: environmentChanges(env, io.env),
    agent: null,
    statusWithoutAgent: 1,
    shell: io.env.SHELL || '/bin/sh',
  };
  const earlier = args.resume && !args.restart ? await readAgentRecord(dir, candidate.n) : null;
  // Issue 5: a candidate whose setup failed gets a shell in its worktree, not its agent; the pane says why.
  const setupFailure = await readSetupFailure(dir, candidate.n);
  if (setupFailure) {
    io.out.write(`${setupFailureLines(setupFailure, dir, manifest.task, candidate.n).join('\n')}\n`);
  } else if (earlier?.exit) {
    plan.statusWithoutAgent = earlier.exit.code ?? 1;
    io.out.write(
      `[git-parallel] ${candidate.agent} ${describeExit(earlier.exit)} earlier; not starting it again (git parallel attach ${manifest.task} --restart does).\n`,
    );
  } else {
    // Agents with hooks (Claude Code, Codex) report waiting/done to `status`; failing here never stops one.
    const hooks = await installAgentHooks(candidate, manifest.task, dir).catch((error: Error) => {
      io.out.write(`[git-parallel] status hooks not installed: ${error.message}\n`);
      return { files: [], args: [] };
    });
    // Issue 16: a synthesis candidate has a prompt of its own; every other candidate has the run's.
    const promptFile = candidate.promptFile ?? manifest.promptFile;
    const prompt = promptFile ? await readFile(promptFile, 'utf8') : null;
    const argv = withPrompt(
      [...agentExecutable(candidate, env), ...candidate.command.slice(1), ...hooks.args],
      candidate.prompt,
      prompt,
    );
    // Issue 17: a sandboxed run's agent starts inside bubblewrap (IS_SANDBOX=1 is set in there only).
    const command = manifest.sandbox ? await sandboxedArgv(manifest, candidate, dir, argv, env) : argv;
    const stdinFile = candidate.prompt === 'stdin' && prompt !== null ? promptFile : null;
    plan.agent = { argv: command, name: candidate.agent, stdinFile };
  }

  // It holds the candidate's environment (a database password among it): the user's alone.
  const script = path.join(dir, 'agents', paneScriptName(candidate.n));
  await writeFileAtomic(script, renderPaneScript(plan), 0o600);
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

/** The `shell` preset runs the user's own $SHELL when there is one; `sh` is its fallback. */
function agentExecutable(candidate: Candidate, env: NodeJS.ProcessEnv): string[] {
  const executable = candidate.command[0]!;
  if (candidate.agent === 'shell' && path.basename(executable) === 'sh' && env.SHELL) return [env.SHELL];
  return [executable];
}

function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function header(manifest: RunManifest, candidate: Candidate): string {
  const base = manifest.base.ref ?? manifest.base.commit.slice(0, 10);
  return `── ${paneTitle(manifest, candidate)} · branch ${candidate.branch} from ${base} ──`;
}
