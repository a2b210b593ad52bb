import { existsSync } from 'node:fs';
import type { SimpleGit, SimpleGitOptions } from 'simple-git';
import { describe, lastLines } from '../core/command-text.js';
import { CommandFailure } from '../errors.js';
import { noteCommand } from './command-log.js';
import { type RunResult, run } from './exec.js';
import { childrenShielded } from './signals.js';

/**
 * How git-parallel runs git: simple-git, one process per call, an explicit cwd and env, never a shell,
 * never the user's pager or prompts. Only io/git.ts and the io modules beside it use this; everything
 * above io/ calls a named function of io/git.ts.
 *
 * simple-git is imported on first use, so esbuild puts it in a chunk of its own (scripts/build.mjs) and
 * the commands that run no git (`--version`, `--help`) never load it.
 */
export interface GitOptions {
  /** The whole environment of the git process: the caller's, never read from process.env here. */
  env?: NodeJS.ProcessEnv;
  /** Written to git's stdin, which is then closed. */
  input?: string;
  /** When false, a non-zero exit is returned instead of thrown. */
  check?: boolean;
  /** Ctrl-C: the git process is stopped and the call rejects (simple-git's `abort`). */
  signal?: AbortSignal;
}

/** What a git command gave: exec.ts's result, for git (which has no timeout of its own here). */
export type GitResult = Omit<RunResult, 'command' | 'timedOut'> & { command: 'git' };

type SimpleGitModule = typeof import('simple-git');
let loading: Promise<SimpleGitModule> | undefined;

function loadSimpleGit(): Promise<SimpleGitModule> {
  loading ??= import('simple-git');
  return loading;
}

/** A git exit that simple-git reports as an error; carries what the caller needs to decide. */
interface ExitDetails {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const EXIT = Symbol('git exit');

/**
 * A simple-git instance for one folder. git-parallel passes git only its own argument arrays (and, in
 * `diff`, the user's own arguments) in the user's own environment, so simple-git's guards against
 * untrusted input are opened: stripping the user's GIT_* variables or refusing `-c` keys would change
 * what git does for them, and nothing here comes from a stranger.
 */
async function instance(
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: { input?: string; signal?: AbortSignal; maxConcurrentProcesses?: number },
): Promise<SimpleGit> {
  const { simpleGit, GitError, GitPluginError } = await loadSimpleGit();
  const config: Partial<SimpleGitOptions> = {
    baseDir: cwd,
    maxConcurrentProcesses: options.maxConcurrentProcesses ?? 1,
    allowEnvironment: Object.keys(env),
    allowConfig: ['*'],
    // -C and --git-dir name folders (allowUnsafeConfigPaths); a `git -c … parallel` passes its settings on
    // in GIT_CONFIG_PARAMETERS (allowUnsafeConfigEnvCount).
    unsafe: { allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true, allowAbbreviatedOptions: true },
    // A call ends when git's output closes, never at a timer after its exit: simple-git's default (50 ms
    // after `exit`) returned cut output under load (a busy machine reads the pipe later than that).
    completion: { onClose: true, onExit: false },
    // Every non-zero exit is an error carrying its exit code and output (simple-git's own rule, "a
    // non-zero exit with something on stderr", would take `rev-parse --verify --quiet`'s silent exit 1 for
    // success). An abort stays simple-git's own error.
    errors(error, result) {
      if (error instanceof GitPluginError) return error;
      if (result.exitCode === 0) return error;
      const details: ExitDetails = {
        exitCode: typeof result.exitCode === 'number' && result.exitCode > 0 ? result.exitCode : 128,
        stdout: Buffer.concat(result.stdOut).toString('utf8'),
        stderr: Buffer.concat(result.stdErr).toString('utf8'),
      };
      return Object.assign(new GitError(undefined, details.stderr), { [EXIT]: details });
    },
    ...(options.signal ? { abort: options.signal } : {}),
    // stdin is always closed, empty when there is no input (a hook that reads it must not wait forever);
    // simple-git leaves it open unless there is something to write, and an empty Buffer counts as something.
    input: () => Buffer.from(options.input ?? ''),
  };
  const git = simpleGit(config).env(env);
  // simple-git waits 50 ms more after a process that printed nothing (`show-ref --quiet`, `update-ref`,
  // `checkout --quiet`): an empty chunk, seen by its completion plugin once that listens, counts as
  // output. Measured: a silent call took 56 ms this way, 5 ms with the chunk.
  git.outputHandler((_command, stdout) => {
    process.nextTick(() => stdout.emit('data', Buffer.alloc(0)));
  });
  return git;
}

/** Runs one git command in `cwd`. */
export async function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  // A rollback under Ctrl-C (signals.ts) needs its git in a process group of its own, which simple-git
  // cannot start (its spawn options are fixed): those calls, and only those, go through exec.ts's run.
  if (childrenShielded()) return (await run('git', args, { ...options, cwd, env })) as GitResult;
  if (!existsSync(cwd)) {
    throw new CommandFailure(`cannot run ${describe('git', args)}: the folder ${cwd} no longer exists`);
  }
  const git = await instance(cwd, env, options);
  noteCommand(['git', ...args], cwd);
  const result: GitResult = { command: 'git', args, cwd, stdout: '', stderr: '', exitCode: 0, signal: null };
  try {
    result.stdout = await abortable(git.raw(args), options.signal);
  } catch (error) {
    const exit = (error as { [EXIT]?: ExitDetails })[EXIT];
    if (exit === undefined) throw abortOrFailure(error, args, cwd, options.signal);
    Object.assign(result, exit);
    if (options.check !== false) throw gitFailure(result);
  }
  return result;
}

/** Runs a git command whose output is all that matters, trimmed. */
export async function gitOutput(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

/**
 * Runs one of simple-git's own tasks (where its parser fits, as `log` does) in `cwd`, with runGit's
 * errors: `args` is what the task runs, for messages.
 */
export async function runGitTask<T>(
  cwd: string,
  args: string[],
  task: (git: SimpleGit) => Promise<T>,
  options: GitOptions = {},
): Promise<T> {
  if (!existsSync(cwd)) {
    throw new CommandFailure(`cannot run ${describe('git', args)}: the folder ${cwd} no longer exists`);
  }
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  noteCommand(['git', ...args], cwd);
  try {
    return await abortable(task(await instance(cwd, env, options)), options.signal);
  } catch (error) {
    const exit = (error as { [EXIT]?: ExitDetails })[EXIT];
    if (exit === undefined) throw abortOrFailure(error, args, cwd, options.signal);
    throw gitFailure({ command: 'git', args, cwd, signal: null, ...exit });
  }
}

/**
 * The repository probe every command starts with (`readRepo`: `rev-parse` and `worktree list`), and only
 * that, runs through exec.ts's node:child_process runner: `list`, `ports` and the other commands that run
 * no other git then start without loading simple-git, whose chunk takes about 10 ms of CPU to compile and
 * run on Node 20 (a quarter of a bare `node -e 0`). Two read-only calls, no stdin, no abort: nothing
 * simple-git adds is needed there.
 */
export async function probeGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  return (await run('git', args, { ...options, cwd, env })) as GitResult;
}

/**
 * Runs git commands in several folders at once, at most `width` at a time (simple-git's
 * `maxConcurrentProcesses`): `args(folder)` gives each folder's command, `done(folder)` is told as each
 * one finishes. The first failure rejects once the others have settled.
 */
export async function runGitInEach(
  folders: string[],
  args: (folder: string) => string[],
  options: GitOptions & { width: number; done?: (folder: string) => void },
): Promise<void> {
  if (folders.length === 0) return;
  const env = { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' };
  const git = await instance(folders[0]!, env, { ...options, maxConcurrentProcesses: options.width });
  const results = await Promise.allSettled(
    folders.map(async (folder) => {
      // -C: one instance (one queue) for every folder, each command run in its own folder.
      const argv = ['-C', folder, ...args(folder)];
      noteCommand(['git', ...argv], folder);
      try {
        await abortable(git.raw(argv), options.signal);
      } catch (error) {
        const exit = (error as { [EXIT]?: ExitDetails })[EXIT];
        if (exit === undefined) throw abortOrFailure(error, argv, folder, options.signal);
        throw gitFailure({ command: 'git', args: argv, cwd: folder, signal: null, ...exit });
      }
      options.done?.(folder);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Rejects as soon as `signal` aborts. simple-git stops git then (its `abort` option), but its call ends
 * only when git's output closes, which a hook's child can hold open long after.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortOrFailure(error: unknown, args: string[], cwd: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error('aborted');
  return new CommandFailure(`could not run ${describe('git', args)} in ${cwd}: ${(error as Error).message}`);
}

/** The error for a git command that exited non-zero: what ran, where, how it ended, and stderr's tail. */
export function gitFailure(result: GitResult): CommandFailure {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
  const tail = lastLines(result.stderr || result.stdout, 5);
  return new CommandFailure(
    `${describe('git', result.args)} ${how} (in ${result.cwd})${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
    tail ? tail.split('\n') : [],
  );
}
