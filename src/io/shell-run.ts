import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { noteCommand } from './command-log.js';
import { COMMON, execa, spawnError } from './exec.js';
import { killGroup, stopperOf } from './process-group.js';

export interface ShellRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Everything the command prints (stdout and stderr, interleaved) is appended here. */
  logFile: string;
  /** Milliseconds; the whole process group is stopped when it runs longer. */
  timeout?: number;
  signal?: AbortSignal;
  /**
   * When the shell ends (or is stopped), SIGKILL whatever is left of its process group: a check's
   * background children (`sleep 600 &`, a dev server holding its port) and processes that ignored
   * SIGTERM at a timeout do not outlive it.
   */
  killGroupOnExit?: boolean;
  /** Issue 17: the argv the shell runs inside, e.g. a sandbox (bwrap's command line up to `--`). */
  within?: string[];
}

export interface ShellRunResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  logFile: string;
}

/**
 * Runs one of the user's own commands (a setup step, a hook, a check) through `sh -c`: the one place a
 * shell is used, because these are shell commands the user wrote. Output goes to a log file; the command
 * runs in its own process group so a timeout or an interrupt stops everything it started, and the result
 * of a stopped command comes once that group is empty. Without `killGroupOnExit`, what a command that
 * ended by itself left in the background (a setup's dev server) keeps running: the run's removal ends it.
 */
export async function runShell(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
  const start = await execa();
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = await open(options.logFile, 'a');
  const started = Date.now();
  try {
    const [program, ...args] = [...(options.within ?? []), '/bin/sh', '-c', command];
    noteCommand([program!, ...args], options.cwd);
    const subprocess = start(program!, args, {
      ...COMMON,
      cwd: options.cwd,
      env: options.env,
      stdin: 'ignore',
      // The log's own descriptor goes to the child as is (no pipe through us), so what the command leaves
      // in the background keeps writing there and never holds our result. execa's types name only the
      // descriptors 3 to 9; any descriptor is passed the same way (lib/stdio/native.js).
      stdout: log.fd as 3,
      stderr: log.fd as 3,
      detached: true,
    });
    const stop = stopperOf(subprocess, true);
    const timer = options.timeout ? setTimeout(() => stop.now('timeout'), options.timeout) : null;
    const onAbort = () => stop.now('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // An abort that came while the log was being opened has already fired: stop the group now.
    if (options.signal?.aborted) onAbort();
    const result = await subprocess;
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (options.killGroupOnExit) killGroup(subprocess.pid, 'SIGKILL');
    await stop.settled();
    if (result.exitCode === undefined && result.signal === undefined) {
      throw spawnError('/bin/sh', ['-c', command], options.cwd, result);
    }
    return {
      command,
      exitCode: result.exitCode ?? null,
      signal: (result.signal as NodeJS.Signals | undefined) ?? null,
      timedOut: stop.reason === 'timeout',
      durationMs: Date.now() - started,
      logFile: options.logFile,
    };
  } finally {
    await log.close();
  }
}
