import { appendFile, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { runShell, type ShellRunResult } from './exec.js';

/**
 * The user's own commands (setup steps, hooks, a fallback install), run one after another through the
 * shell, each appended to one log file with a header line, so a candidate's log reads top to bottom.
 * The first command that fails stops the list and is returned with the tail of its own output.
 */
export interface StepFailure {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  logFile: string;
  /** The last lines the failed command printed. */
  tail: string[];
}

export interface StepOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Milliseconds per command. */
  timeout?: number;
  signal?: AbortSignal;
  /** Called before each command starts. */
  onStart?: (command: string, index: number) => void;
  /** Issue 17: run each command inside this sandbox argv. */
  within?: string[];
}

export async function runSteps(
  commands: readonly string[],
  options: StepOptions,
): Promise<StepFailure | null> {
  for (const [index, command] of commands.entries()) {
    if (options.signal?.aborted) throw options.signal.reason;
    options.onStart?.(command, index);
    await mkdir(path.dirname(options.logFile), { recursive: true });
    await appendFile(options.logFile, `$ ${command}\n`);
    const offset = (await stat(options.logFile)).size;
    const result = await runShell(command, {
      cwd: options.cwd,
      env: options.env,
      logFile: options.logFile,
      timeout: options.timeout,
      signal: options.signal,
      within: options.within,
    });
    if (options.signal?.aborted) throw options.signal.reason;
    if (result.exitCode !== 0 || result.timedOut)
      return failureOf(result, await tailFrom(options.logFile, offset, 15));
    await appendFile(options.logFile, '\n');
  }
  return null;
}

/** "exited with code 1", "was stopped after 600s (setupTimeout)", "was killed by SIGKILL". */
export function describeFailure(failure: StepFailure, timeoutSeconds?: number): string {
  if (failure.timedOut) return `was stopped after ${timeoutSeconds ?? '?'}s (setupTimeout)`;
  if (failure.signal) return `was killed by ${failure.signal}`;
  return `exited with code ${failure.exitCode}`;
}

function failureOf(result: ShellRunResult, tail: string[]): StepFailure {
  return {
    command: result.command,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    logFile: result.logFile,
    tail,
  };
}

async function tailFrom(file: string, offset: number, lines: number): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    // The last 16 KiB are plenty for 15 lines.
    const start = Math.max(offset, size - 16_384);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .filter((line) => line !== '');
  } finally {
    await handle.close();
  }
}
