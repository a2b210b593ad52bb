import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Options as ExecaOptions, Result as ExecaResult } from 'execa';
import { describe, lastLines } from '../core/command-text.js';
import { CommandFailure } from '../errors.js';
import { noteCommand } from './command-log.js';
import { killGroup, stopperOf } from './process-group.js';
import { childrenShielded } from './signals.js';

/**
 * The one way to start a program (issue 15): execa for every program that is not git, argument arrays
 * only, an explicit cwd and env (execa's `extendEnv` is off: the child gets exactly the env it is given),
 * never a shell (the one exception, a user's own hook or check command, goes through `runShell`, and
 * says so, shell-run.ts). A failure names the command, its cwd, the exit code and stderr's tail. `--verbose` lists
 * every command started here (command-log.ts).
 *
 * execa costs about 25 ms of CPU to load, bundled: it is imported on first use (esbuild puts it in a chunk
 * of its own), so `--version`, `--help`, and `list` or `status` where no run's session lives never load it. For the same reason a small
 * node:child_process path below runs git's repository probe (git-runner.ts's probeGit): git is not
 * execa's job (simple-git's is), and `list` and `status` run little else.
 */
export interface RunOptions {
  cwd: string;
  /** Optional in the type only for io/git.ts, which always passes one; `run` requires it. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** When false, a non-zero exit is returned instead of thrown. */
  check?: boolean;
  /** Ctrl-C: the child (its process group, when it has one) is stopped, and the promise rejects with the
   * signal's reason once it has exited. */
  signal?: AbortSignal;
  /**
   * Milliseconds. A command with a timeout runs in a process group of its own, and the whole group is
   * stopped (SIGTERM, then SIGKILL) when it runs longer: what it started does not outlive it.
   */
  timeout?: number;
  /**
   * The child and everything it starts get a process group of their own, SIGKILLed when the child exits;
   * the result does not wait for a descendant that still holds the child's output (issue 10 F9: an
   * agent's `--version` that left a child holding stdout hung `doctor`).
   */
  ownGroup?: boolean;
  /** Bytes of stdout (and of stderr) kept; a command that prints more is stopped and fails. */
  maxBuffer?: number;
}

export interface RunResult {
  command: string;
  args: string[];
  cwd: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Stopped at its `timeout`. */
  timedOut?: boolean;
}

/** The programs we read (tmux, ps, zellij, agents' --version) print kilobytes; 64 MiB is a runaway. */
const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

type Execa = typeof import('execa').execa;
let loadedExeca: Execa | undefined;
/** execa, loaded on first use (see above); shell-run.ts starts the user's commands with it too. */
export async function execa(): Promise<Execa> {
  loadedExeca ??= (await import('execa')).execa;
  return loadedExeca;
}

export async function run(
  command: string,
  args: string[],
  options: RunOptions & { env: NodeJS.ProcessEnv },
): Promise<RunResult> {
  if (command === 'git') return runGit(args, options);
  const shielded = childrenShielded();
  // A terminal signal sent in the instant between fork and the child's setsid stays pending and kills it
  // before it runs anything (seen under a storm of Ctrl-C): such a child did nothing and is started again.
  for (let attempt = 1; ; attempt++) {
    const result = await runProgram(command, args, options, shielded);
    const cut = result.signal === 'SIGINT' || result.signal === 'SIGTERM' || result.signal === 'SIGHUP';
    if (shielded && cut && !result.timedOut && attempt < 10) continue;
    if (result.exitCode !== 0 && options.check !== false) throw failureOf(result);
    return result;
  }
}

async function runProgram(
  command: string,
  args: string[],
  options: RunOptions & { env: NodeJS.ProcessEnv },
  shielded: boolean,
): Promise<RunResult> {
  const start = await execa();
  if (options.signal?.aborted) throw options.signal.reason;
  const ownGroup = shielded || options.ownGroup === true || options.timeout !== undefined;
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  noteCommand([command, ...args], options.cwd);
  const subprocess = start(command, args, {
    ...COMMON,
    cwd: options.cwd,
    env: options.env,
    input: options.input ?? '',
    maxBuffer,
    detached: ownGroup,
  });
  const stop = stopperOf(subprocess, ownGroup);
  const timer = options.timeout ? setTimeout(() => stop.now('timeout'), options.timeout) : null;
  const onAbort = () => stop.now('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // At maxBuffer execa stops reading (it destroys the stream) but leaves the command running: stop it.
  for (const stream of [subprocess.stdout, subprocess.stderr]) {
    stream?.once('close', () => {
      const running = subprocess.exitCode === null && subprocess.signalCode === null;
      if (running && !stream.readableEnded) stop.now('maxBuffer');
    });
  }
  subprocess.once('exit', (_code, signal) => {
    // An ownGroup child's group ends with it; so does the group of a child that was cut (a stop, or
    // execa's own at maxBuffer).
    const cut = signal !== null;
    if (options.ownGroup || (ownGroup && cut)) killGroup(subprocess.pid, 'SIGKILL');
    // A descendant (one that left the group, or of a child without one) can still hold the pipes: stop
    // reading them soon after, rather than wait for it.
    if (options.ownGroup || cut) {
      setTimeout(() => {
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
      }, 200).unref();
    }
  });
  const result = await subprocess;
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  await stop.settled();
  if (stop.reason === 'abort') throw options.signal!.reason;
  if (result.isMaxBuffer) {
    throw new CommandFailure(
      `${describe(command, args)} printed more than ${maxBuffer} bytes (in ${options.cwd}), and was stopped`,
    );
  }
  if (result.exitCode === undefined && result.signal === undefined) {
    throw spawnError(command, args, options.cwd, result);
  }
  return {
    command,
    args,
    cwd: options.cwd,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    exitCode: result.exitCode ?? 128,
    signal: (result.signal as NodeJS.Signals | undefined) ?? null,
    timedOut: stop.reason === 'timeout',
  };
}

/** What every execa call here shares: results, not rejections; output as printed; no hidden env. */
export const COMMON = {
  reject: false,
  extendEnv: false,
  stripFinalNewline: false,
  // Stopping children is ours (stopperOf). execa's exit cleanup would install signal-exit's SIGINT and
  // SIGTERM handlers, which must not compete with withInterruptSignal (signals.ts).
  cleanup: false,
} as const satisfies ExecaOptions;

export function spawnError(
  command: string,
  args: string[],
  cwd: string,
  result: ExecaResult,
): CommandFailure {
  const cause = result.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code === 'ENOENT' || !existsSync(cwd)) return spawnFailure(command, args, cwd);
  return new CommandFailure(
    `could not run ${describe(command, args)} in ${cwd}: ${cause?.message ?? result.shortMessage}`,
  );
}

/**
 * ENOENT from spawn means the program or the folder to run it in is missing; say which. (A worktree
 * removed while a command was about to run in it, `rm` during `compare`, is the folder case.)
 */
function spawnFailure(command: string, args: string[], cwd: string): CommandFailure {
  if (!existsSync(cwd)) {
    return new CommandFailure(`cannot run ${describe(command, args)}: the folder ${cwd} no longer exists`);
  }
  return new CommandFailure(`${command} was not found on PATH (needed to run: ${describe(command, args)})`);
}

/**
 * git's light path (the repository probe, a rollback's git in a process group of its own): a
 * node:child_process runner, retried as `run` retries a shielded child cut by a terminal signal.
 */
async function runGit(args: string[], options: RunOptions): Promise<RunResult> {
  if (!childrenShielded()) return queryOnce('git', args, options, false);
  for (let attempt = 1; ; attempt++) {
    const result = await queryOnce('git', args, { ...options, check: false }, true);
    const cut = result.signal === 'SIGINT' || result.signal === 'SIGTERM' || result.signal === 'SIGHUP';
    if (cut && !options.signal?.aborted && attempt < 10) continue;
    if (result.exitCode !== 0 && options.check !== false) throw failureOf(result);
    return result;
  }
}

function queryOnce(
  command: string,
  args: string[],
  options: RunOptions,
  detached: boolean,
): Promise<RunResult> {
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  noteCommand([command, ...args], options.cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeout,
      detached,
    });
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => {
      // A child that exits without reading its stdin closes the pipe (EPIPE); its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        error.code === 'ENOENT'
          ? spawnFailure(command, args, options.cwd)
          : new CommandFailure(
              `could not run ${describe(command, args)} in ${options.cwd}: ${error.message}`,
            ),
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(options.signal.reason);
      const result: RunResult = {
        command,
        args,
        cwd: options.cwd,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? 128,
        signal,
      };
      if (result.exitCode !== 0 && options.check !== false) reject(failureOf(result));
      else resolve(result);
    });
  });
}

/** The error for a command that exited non-zero: what ran, where, how it ended, and stderr's tail. */
export function failureOf(result: RunResult): CommandFailure {
  const how = result.timedOut
    ? 'did not finish in time and was stopped'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  const tail = lastLines(result.stderr || result.stdout, 5);
  return new CommandFailure(
    `${describe(result.command, result.args)} ${how} (in ${result.cwd})${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
    tail ? tail.split('\n') : [],
  );
}

export interface TerminalRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs a program on the user's terminal (stdin, stdout and stderr inherited: a pager, `tmux attach`,
 * `zellij attach`) for as long as the user stays in it; its exit code and signal are returned, not thrown.
 */
export async function runOnTerminal(
  command: string,
  args: string[],
  options: TerminalRunOptions,
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  const start = await execa();
  noteCommand([command, ...args], options.cwd);
  const result = await start(command, args, {
    ...COMMON,
    cwd: options.cwd,
    env: options.env,
    stdio: 'inherit',
  });
  if (result.exitCode === undefined && result.signal === undefined) {
    throw spawnError(command, args, options.cwd, result);
  }
  return { exitCode: result.exitCode ?? null, signal: (result.signal as NodeJS.Signals | undefined) ?? null };
}

/**
 * Starts a program and does not wait for it (the desktop's opener for the HTML report): detached, no
 * output, resolved once it has started.
 */
export async function startDetached(
  command: string,
  args: string[],
  options: TerminalRunOptions,
): Promise<void> {
  const start = await execa();
  noteCommand([command, ...args], options.cwd);
  const subprocess = start(command, args, {
    ...COMMON,
    cwd: options.cwd,
    env: options.env,
    stdio: 'ignore',
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    subprocess.once('spawn', () => {
      subprocess.unref();
      resolve();
    });
    subprocess.once('error', () => {
      // execa reports the failure in its result, with the reason spawn gave.
      subprocess.then((result) => reject(spawnError(command, args, options.cwd, result)), reject);
    });
  });
}
