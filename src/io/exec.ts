import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CommandFailure } from '../errors.js';
import { childrenShielded } from './signals.js';

/**
 * The one subprocess wrapper. Argument arrays only, an explicit cwd, never a shell (the one exception,
 * a user's own hook or check command, goes through `runShell`, and says so).
 *
 * Built on node:child_process rather than execa: importing execa costs about 1.5× a bare `node -e 0`
 * start by itself (measured on this project's target machine), and the read-only commands (`list`,
 * `status`, `ports`) must start within 1.5× of a bare Node. What we need from a wrapper is small: the
 * output, the exit code, and a failure that names the command, its cwd, the exit code and stderr's tail.
 */
export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** When false, a non-zero exit is returned instead of thrown. */
  check?: boolean;
  signal?: AbortSignal;
  /** Milliseconds; the child gets SIGTERM when it runs longer. */
  timeout?: number;
  /**
   * The child and everything it starts get a process group of their own, SIGKILLed at the timeout and when
   * the child exits; the result does not wait for a descendant that still holds the child's output (issue
   * 10 F9: an agent's `--version` that left a child holding stdout hung `doctor`).
   */
  ownGroup?: boolean;
}

export interface RunResult {
  command: string;
  args: string[];
  cwd: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  signal: NodeJS.Signals | null;
}

export async function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  if (!childrenShielded()) return runOnce(command, args, options, false);
  // A terminal signal sent in the instant between fork and the child's setsid stays pending and kills it
  // before it runs anything (seen under a storm of Ctrl-C): such a child did nothing and is started again.
  for (let attempt = 1; ; attempt++) {
    const result = await runOnce(command, args, { ...options, check: false }, true);
    const cut = result.signal === 'SIGINT' || result.signal === 'SIGTERM' || result.signal === 'SIGHUP';
    if (cut && attempt < 10) continue;
    if (result.exitCode !== 0 && options.check !== false) throw failureOf(result);
    return result;
  }
}

function runOnce(
  command: string,
  args: string[],
  options: RunOptions,
  detached: boolean,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.ownGroup ? undefined : options.timeout,
      detached: detached || options.ownGroup === true,
    });
    if (options.ownGroup) endGroupWith(child, options.timeout);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => {
      // A child that exits without reading its stdin closes the pipe (EPIPE); its exit code tells the story.
    });
    child.stdin.end(options.input ?? '');
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(spawnFailure(command, args, options.cwd));
      } else if (error.name === 'AbortError') {
        reject(error);
      } else {
        reject(
          new CommandFailure(`could not run ${describe(command, args)} in ${options.cwd}: ${error.message}`),
        );
      }
    });
    child.on('close', (code, signal) => {
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

function endGroupWith(child: ReturnType<typeof spawn>, timeout: number | undefined): void {
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // ESRCH: the group has no process left.
    }
  };
  const timer = timeout ? setTimeout(killGroup, timeout) : null;
  child.on('exit', () => {
    if (timer) clearTimeout(timer);
    killGroup();
    // A descendant that left the group can still hold the pipes: stop reading them soon after.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, 200).unref();
  });
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

/** The error for a command that exited non-zero: what ran, where, how it ended, and stderr's tail. */
export function failureOf(result: RunResult): CommandFailure {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const tail = lastLines(result.stderr || result.stdout, 5);
  return new CommandFailure(
    `${describe(result.command, result.args)} ${how} (in ${result.cwd})${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
    tail ? tail.split('\n') : [],
  );
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n').trim();
}

/** A command line for messages, quoted so it can be pasted into a POSIX shell. */
export function describe(command: string, args: string[]): string {
  return describeCommand([command, ...args]);
}

export function describeCommand(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

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
 * runs in its own process group so a timeout or an interrupt stops everything it started.
 */
export async function runShell(command: string, options: ShellRunOptions): Promise<ShellRunResult> {
  const { open, mkdir } = await import('node:fs/promises');
  const path = await import('node:path');
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const log = await open(options.logFile, 'a');
  const started = Date.now();
  try {
    return await new Promise<ShellRunResult>((resolve, reject) => {
      const [program, ...args] = [...(options.within ?? []), '/bin/sh', '-c', command];
      const child = spawn(program!, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', log.fd, log.fd],
        detached: true,
      });
      let timedOut = false;
      const stopGroup = () => {
        try {
          process.kill(-child.pid!, 'SIGTERM');
          setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }, 2000).unref();
        } catch {
          // Already gone.
        }
      };
      const timer = options.timeout
        ? setTimeout(() => {
            timedOut = true;
            stopGroup();
          }, options.timeout)
        : null;
      const onAbort = () => stopGroup();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // An abort that came while the log was being opened has already fired: stop the group now.
      if (options.signal?.aborted) onAbort();
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        reject(error.code === 'ENOENT' ? spawnFailure('/bin/sh', ['-c', command], options.cwd) : error);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (options.killGroupOnExit) {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // ESRCH: the group has no process left.
          }
        }
        resolve({
          command,
          exitCode: code,
          signal,
          timedOut,
          durationMs: Date.now() - started,
          logFile: options.logFile,
        });
      });
    });
  } finally {
    await log.close();
  }
}
