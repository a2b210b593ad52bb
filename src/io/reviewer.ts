import { withPrompt } from '../core/agent-command.js';
import { describe, lastLines } from '../core/command-text.js';
import type { AgentSpec } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { run } from './exec.js';
import { which } from './which.js';

/**
 * One reviewing agent, run fresh in its one-shot mode: a new process with no chat behind it, in a
 * scratch folder outside the repository, the prompt on stdin (or as the argument its mode takes), its
 * answer read from stdout. It is never given a candidate's worktree: what it judges is in the prompt.
 */
export interface Reviewer {
  agent: string;
  spec: AgentSpec;
  executable: string;
}

/** The agent's reviewer, or a usage error that says what to do when it has no one-shot mode or no program. */
export async function resolveReviewer(
  agent: string,
  agents: Readonly<Record<string, AgentSpec>>,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Reviewer> {
  const spec = agents[agent];
  if (!spec) {
    throw new UsageError(
      `unknown reviewer ${JSON.stringify(agent)}; known agents: ${Object.keys(agents).sort().join(', ')}`,
    );
  }
  if (!spec.oneShot) {
    throw new UsageError(
      `${agent} has no one-shot mode to review with; name another with --agent, or set agents.${agent}.oneShot in config`,
    );
  }
  const executable = await which(spec.command, cwd, env);
  if (!executable) throw new UsageError(`${agent} is not installed: ${spec.command} was not found on PATH`);
  return { agent, spec, executable };
}

/** The argv and stdin one review prompt is passed with, in the agent's own syntax. */
export function reviewerInvocation(reviewer: Reviewer, prompt: string): { argv: string[]; stdin: string } {
  const mode = reviewer.spec.oneShot!;
  const argv = withPrompt([reviewer.executable, ...mode.args], mode.prompt, prompt);
  return { argv, stdin: mode.prompt === 'stdin' ? prompt : '' };
}

/** Runs the reviewer once and returns what it answered on stdout; a failed or timed-out run throws. */
export async function askReviewer(
  reviewer: Reviewer,
  prompt: string,
  options: { scratch: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  const { argv, stdin } = reviewerInvocation(reviewer, prompt);
  const started = Date.now();
  const result = await run(argv[0]!, argv.slice(1), {
    cwd: options.scratch,
    env: { ...options.env, ...reviewer.spec.env },
    input: stdin,
    check: false,
    timeout: options.timeoutMs,
    ownGroup: true,
    signal: options.signal,
  });
  if (result.exitCode !== 0) {
    // The prompt is long: a command line for the message shows where it went, not what it said.
    const args =
      reviewer.spec.oneShot!.prompt === 'stdin' ? argv.slice(1) : [...argv.slice(1, -1), '<prompt>'];
    const shown = describe(argv[0]!, args);
    const timedOut = Date.now() - started >= options.timeoutMs;
    const how = timedOut
      ? `did not answer within ${Math.round(options.timeoutMs / 1000)} s`
      : result.signal
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
    const tail = lastLines(result.stderr || result.stdout, 5);
    throw new CommandFailure(
      `the reviewer ${reviewer.agent} (${shown}) ${how}${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
      tail ? tail.split('\n') : [],
    );
  }
  return result.stdout;
}
