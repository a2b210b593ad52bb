import { appendFile, mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';
import { runShell, type ShellRunResult } from './shell-run.js';

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
  /**
   * Marks every process the commands start (SETUP_MARK in their environment, which children inherit),
   * so the ones left in the background (`… &`, `setsid …`) can be found and ended: at a timeout, and
   * when the run is removed (issue 13 item 14).
   */
  mark?: string;
  /** Issue 17: run each command inside this sandbox argv. */
  within?: string[];
}

/** The variable that marks the processes a candidate's setup started: its value names the candidate. */
export const SETUP_MARK = 'GIT_PARALLEL_SETUP_OF';

export async function runSteps(
  commands: readonly string[],
  options: StepOptions,
): Promise<StepFailure | null> {
  for (const [index, command] of commands.entries()) {
    if (options.signal?.aborted) throw options.signal.reason;
    options.onStart?.(command, index);
    await mkdir(path.dirname(options.logFile), { recursive: true, mode: 0o700 });
    // A setup log may hold what a command printed of its environment (a database password): the user's alone.
    await appendFile(options.logFile, `$ ${command}\n`, { mode: 0o600 });
    const offset = (await stat(options.logFile)).size;
    const result = await runShell(command, {
      cwd: options.cwd,
      env: options.mark === undefined ? options.env : { ...options.env, [SETUP_MARK]: options.mark },
      logFile: options.logFile,
      timeout: options.timeout,
      signal: options.signal,
      within: options.within,
    });
    if (options.signal?.aborted) {
      if (options.mark !== undefined) await endMarkedProcesses(options.mark, options.env);
      throw options.signal.reason;
    }
    // A command stopped at its timeout leaves nothing behind, not even what escaped its process group.
    if (result.timedOut && options.mark !== undefined) await endMarkedProcesses(options.mark, options.env);
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

/**
 * Ends every process that carries `SETUP_MARK=<mark>` in its environment (TERM, then KILL after a
 * second for the ones still there). A process group is not enough: `setsid` leaves it, and a
 * double fork is adopted by init; the environment is inherited through both. Returns how many were
 * found. Linux reads /proc; macOS asks ps for each process's environment.
 */
export async function endMarkedProcesses(mark: string, env: NodeJS.ProcessEnv): Promise<number> {
  const pids = await markedProcesses(`${SETUP_MARK}=${mark}`, env);
  for (const pid of pids) signalPid(pid, 'SIGTERM');
  if (pids.length === 0) return 0;
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) signalPid(pid, 'SIGKILL');
  return pids.length;
}

async function markedProcesses(entry: string, env: NodeJS.ProcessEnv): Promise<number[]> {
  if (process.platform === 'linux') {
    const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name)).map(Number);
    const found: number[] = [];
    for (const pid of pids) {
      if (pid === process.pid) continue;
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
      if (environ.split('\0').includes(entry)) found.push(pid);
    }
    return found;
  }
  // BSD ps: `-E` adds the environment after the command line.
  const result = await run('ps', ['-A', '-E', '-ww', '-o', 'pid=,command='], { cwd: '/', env, check: false });
  return result.stdout
    .split('\n')
    .filter((line) => line.split(' ').includes(entry))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}
