import path from 'node:path';
import { UsageError } from '../errors.js';
import { type RunOptions, type RunResult, run } from './exec.js';

/** Runs git with an explicit cwd. Never a shell; never the user's pager or prompts. */
export function git(cwd: string, args: string[], options: Omit<RunOptions, 'cwd'> = {}): Promise<RunResult> {
  return run('git', args, {
    ...options,
    cwd,
    env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' },
  });
}

async function gitOutput(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).stdout.trim();
}

/** What a command needs to know about the repository it runs in. */
export interface RepoFacts {
  /** The top of the worktree the user is in. */
  cwdRoot: string;
  /** The main worktree (where `pick` merges, and what `worktreeDir` is relative to). */
  mainRoot: string;
  /** The main worktree's folder name: `{repo}` in patterns. */
  name: string;
  /** The shared git dir: state lives in `<commonDir>/parallel`. */
  commonDir: string;
}

/** Gathers the repository facts, or explains in one line why this folder cannot be used. */
export async function readRepo(cwd: string): Promise<RepoFacts> {
  const probe = await git(cwd, ['rev-parse', '--is-bare-repository', '--git-common-dir', '--show-toplevel'], {
    check: false,
  });
  if (probe.exitCode !== 0) {
    if (/not a git repository/i.test(probe.stderr)) {
      throw new UsageError(`not a git repository: ${cwd} (run git parallel inside a repository)`);
    }
    if (
      /must be run in a work tree|this operation must be run/i.test(probe.stderr) ||
      probe.stdout.startsWith('true')
    ) {
      throw new UsageError(`${cwd} is a bare repository; run git parallel in a working tree`);
    }
    throw new UsageError(`git cannot read the repository at ${cwd}: ${probe.stderr.trim().split('\n')[0]}`);
  }
  const [bare, commonDir, cwdRoot] = probe.stdout.trim().split('\n');
  if (bare === 'true' || !cwdRoot)
    throw new UsageError(`${cwd} is a bare repository; run git parallel in a working tree`);
  const absoluteCommon = path.resolve(cwd, commonDir!);
  const mainRoot = (await listWorktrees(cwdRoot))[0]?.path ?? cwdRoot;
  return { cwdRoot, mainRoot, name: path.basename(mainRoot), commonDir: absoluteCommon };
}

/** The commit a ref names, or null. */
export async function resolveCommit(cwd: string, ref: string): Promise<string | null> {
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
    check: false,
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** The branch HEAD is on, or null for a detached HEAD. */
export async function currentBranch(cwd: string): Promise<string | null> {
  const result = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { check: false });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  const result = await git(cwd, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    check: false,
  });
  return result.exitCode === 0;
}

/**
 * Ignored files and folders of a worktree (a wholly ignored folder is one entry, ending in "/"): what
 * `copy`, `link` and `init` pick from.
 */
export async function ignoredEntries(root: string): Promise<string[]> {
  const listing = await git(root, [
    'ls-files',
    '-z',
    '--others',
    '--ignored',
    '--exclude-standard',
    '--directory',
  ]);
  return listing.stdout.split('\0').filter(Boolean);
}

/** Every local branch name, in one call (instead of one `show-ref` per name). */
export async function localBranches(cwd: string): Promise<Set<string>> {
  const text = await gitOutput(cwd, ['for-each-ref', '--format=%(refname:strip=2)', 'refs/heads/']);
  return new Set(text.split('\n').filter(Boolean));
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  branch: string | null;
  prunable: boolean;
}

export async function listWorktrees(cwd: string): Promise<WorktreeEntry[]> {
  const text = await gitOutput(cwd, ['worktree', 'list', '--porcelain']);
  return parseWorktreeList(text);
}

export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  for (const block of text.split(/\n\n+/)) {
    const lines = block.split('\n');
    const worktree = lines.find((l) => l.startsWith('worktree '));
    if (!worktree) continue;
    const head = lines.find((l) => l.startsWith('HEAD '));
    const branch = lines.find((l) => l.startsWith('branch '));
    entries.push({
      path: worktree.slice('worktree '.length),
      head: head ? head.slice('HEAD '.length) : null,
      branch: branch ? branch.slice('branch '.length).replace(/^refs\/heads\//, '') : null,
      prunable: lines.some((l) => l.startsWith('prunable')),
    });
  }
  return entries;
}

/**
 * Registers a worktree and its new branch without checking out files: fast, and done one at a time,
 * because concurrent `git worktree add` calls read each other's half-written admin folders and fail
 * ("failed to read .git/worktrees/<x>/commondir", seen with git 2.39 in about 1 of 8 adds, four at once).
 */
export async function registerWorktree(
  repoRoot: string,
  worktree: string,
  branch: string,
  baseCommit: string,
  signal?: AbortSignal,
): Promise<void> {
  await git(repoRoot, ['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, worktree, baseCommit], {
    signal,
  });
}

/**
 * Fills a registered worktree: the slow part, safe to run for several worktrees at once. The user's
 * post-checkout hook runs here, once per worktree, as it does for `git worktree add`.
 */
export async function checkoutWorktree(
  worktree: string,
  options: { workers: number; signal?: AbortSignal },
): Promise<void> {
  // checkout.workers (git 2.32+; older versions ignore it) writes files with several processes: a lone
  // checkout of a thousand-file repository went from 0.75 s to 0.47 s on 2 cores. It changes no result.
  const parallel = [
    '-c',
    `checkout.workers=${options.workers}`,
    '-c',
    'checkout.thresholdForParallelism=100',
  ];
  await git(worktree, [...parallel, 'checkout', '--quiet', '--force'], { signal: options.signal });
}

export async function removeWorktree(repoRoot: string, worktree: string): Promise<void> {
  // --force twice also removes a locked worktree; the caller has already checked for work to lose.
  await git(repoRoot, ['worktree', 'remove', '--force', '--force', worktree]);
}

export async function deleteBranches(repoRoot: string, branches: string[]): Promise<void> {
  await git(repoRoot, ['branch', '-D', '--quiet', '--', ...branches]);
}

export async function pruneWorktrees(repoRoot: string): Promise<void> {
  await git(repoRoot, ['worktree', 'prune']);
}

/**
 * Uncommitted and untracked paths in a worktree, as `git status --porcelain` lines; measured against
 * `against` (a commit) instead of HEAD when given: then changed paths come as `M <path>`.
 */
export async function uncommittedChanges(worktree: string, against?: string): Promise<string[]> {
  const lines = (text: string) => (text === '' ? [] : text.split('\n'));
  if (against === undefined) {
    // --no-optional-locks: a read must not write the index (on a full disk that write fails, and status with it).
    return lines(
      await gitOutput(worktree, ['--no-optional-locks', 'status', '--porcelain=v1', '--untracked-files=all']),
    );
  }
  const changed = lines(await gitOutput(worktree, ['diff', '--name-only', against, '--']));
  const untracked = lines(await gitOutput(worktree, ['ls-files', '--others', '--exclude-standard']));
  return [...changed.map((file) => ` M ${file}`), ...untracked.map((file) => `?? ${file}`)];
}

/** How many commits on `branch` are reachable from none of `containers` (commits that would be lost). */
export async function commitsNotIn(cwd: string, branch: string, containers: string[]): Promise<number> {
  const text = await gitOutput(cwd, [
    'rev-list',
    '--count',
    `refs/heads/${branch}`,
    '--not',
    ...containers,
    '--',
  ]);
  return Number(text);
}
