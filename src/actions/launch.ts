import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { candidateEnv, paneTitle, withPrompt } from '../core/agent-command.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { installAgentHooks } from '../io/agent-hooks.js';
import { readCallerEnv } from '../io/caller-env.js';
import { readRepo } from '../io/git.js';
import { readSetupFailure, setupFailureLines } from '../io/prepared-state.js';
import { sandboxedArgv } from '../io/sandbox.js';
import { readAgentRecord, requireManifestAt, runDir, writeAgentRecord } from '../io/state.js';

export interface LaunchArgs {
  task: string;
  n: number;
  stateDir?: string;
  /** The session is being recreated (`attach`): an agent that already exited is not started again… */
  resume?: boolean;
  /** …unless the user asked for it. */
  restart?: boolean;
}

/**
 * The pane's program: sets the candidate's environment, prints a one-line header, starts the agent with
 * the prompt in the agent's own syntax (argv or stdin, never a shell), records start, pid and exit
 * status, and afterwards leaves a shell open in the worktree so the pane stays usable.
 */
export async function launch(
  args: LaunchArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WriteStream },
): Promise<number> {
  const dir = args.stateDir ?? runDir((await readRepo(io.cwd)).commonDir, args.task);
  const { manifest } = await requireManifestAt(dir, args.task);
  const candidate = manifest.candidates.find((c) => c.n === args.n);
  if (!candidate) throw new UsageError(`the run ${args.task} has no candidate ${args.n}`);

  // The caller's variables over the multiplexer server's (see io/caller-env.ts), the candidate's over both.
  const env = { ...io.env, ...(await readCallerEnv(dir)), ...candidateEnv(manifest, candidate) };
  // Issue 16: a synthesis candidate has a prompt of its own; every other candidate has the run's.
  const promptFile = candidate.promptFile ?? manifest.promptFile;
  const prompt = promptFile ? await readFile(promptFile, 'utf8') : null;
  io.out.write(`${header(manifest, candidate)}\n`);

  // Ctrl-C in the pane reaches the whole foreground process group; it is meant for the agent.
  process.on('SIGINT', () => {});
  const earlier = args.resume && !args.restart ? await readAgentRecord(dir, candidate.n) : null;
  let exit: { code: number | null; signal: string | null };
  // Issue 5: a candidate whose setup failed gets a shell in its worktree, not its agent; the pane says why.
  const setupFailure = await readSetupFailure(dir, candidate.n);
  if (setupFailure) {
    exit = { code: 1, signal: null };
    io.out.write(`${setupFailureLines(setupFailure, dir, manifest.task, candidate.n).join('\n')}\n`);
  } else if (earlier?.exit) {
    exit = earlier.exit;
    io.out.write(
      `[git-parallel] ${candidate.agent} ${describeExit(exit)} earlier; not starting it again (git parallel attach ${manifest.task} --restart does).\n`,
    );
  } else {
    // Agents with hooks (Claude Code, Codex) report waiting/done to `status`; failing here never stops one.
    const hooks = await installAgentHooks(candidate, manifest.task, dir).catch((error: Error) => {
      io.out.write(`[git-parallel] status hooks not installed: ${error.message}\n`);
      return { files: [], args: [] };
    });
    const argv = withPrompt(
      [...agentExecutable(candidate, env), ...candidate.command.slice(1), ...hooks.args],
      candidate.prompt,
      prompt,
    );
    // Issue 17: a sandboxed run's agent starts inside bubblewrap (IS_SANDBOX=1 is set in there only).
    const command = manifest.sandbox ? await sandboxedArgv(manifest, candidate, dir, argv, env) : argv;
    exit = await runAgent(command, candidate, env, candidate.prompt === 'stdin' ? prompt : null, dir);
    io.out.write(
      `\n[git-parallel] ${candidate.agent} ${describeExit(exit)}. This shell is in ${candidate.worktree}.\n`,
    );
  }

  if (!process.stdin.isTTY) return exit.code ?? 1;
  const shell = io.env.SHELL || '/bin/sh';
  return new Promise((resolve) => {
    const child = spawn(shell, [], { cwd: candidate.worktree, env, stdio: 'inherit' });
    child.on('error', () => resolve(exit.code ?? 1));
    child.on('close', (code) => resolve(code ?? 0));
  });
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

function runAgent(
  argv: string[],
  candidate: Candidate,
  env: NodeJS.ProcessEnv,
  stdinPrompt: string | null,
  dir: string,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const [command, ...args] = argv;
    const child = spawn(command!, args, {
      cwd: candidate.worktree,
      env,
      stdio: [stdinPrompt === null ? 'inherit' : 'pipe', 'inherit', 'inherit'],
    });
    const startedAt = new Date().toISOString();
    let recorded = Promise.resolve();
    child.on('spawn', () => {
      recorded = writeAgentRecord(dir, candidate.n, { pid: child.pid!, startedAt });
    });
    if (stdinPrompt !== null) child.stdin!.end(stdinPrompt);
    child.on('error', (error) => {
      process.stderr.write(`[git-parallel] could not start ${command}: ${error.message}\n`);
      const exit = { code: 127, signal: null };
      writeAgentRecord(dir, candidate.n, {
        pid: 0,
        startedAt,
        exit: { ...exit, at: new Date().toISOString() },
      }).finally(() => resolve(exit));
    });
    child.on('close', (code, signal) => {
      const exit = { code, signal };
      recorded
        .then(() =>
          writeAgentRecord(dir, candidate.n, {
            pid: child.pid!,
            startedAt,
            exit: { ...exit, at: new Date().toISOString() },
          }),
        )
        .finally(() => resolve(exit));
    });
  });
}
