import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Candidate } from '../core/types.js';
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
  const mainRoot =
    (
      await listWorktrees(cwdRoot).catch((error: unknown) => {
        // A `git worktree add` killed half way can leave an admin folder that makes `worktree list` fail
        // (an empty commondir); `rm` repairs it, so it must still find the repository. The main worktree of
        // a `.git` folder is its parent.
        if (path.basename(absoluteCommon) === '.git') return [{ path: path.dirname(absoluteCommon) }];
        throw error;
      })
    )[0]?.path ?? cwdRoot;
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
): Promise<void> {
  await git(repoRoot, ['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, worktree, baseCommit]);
}

/**
 * Fills a registered worktree: the slow part, safe to run for several worktrees at once. The user's
 * post-checkout hook runs here, once per worktree, as it does for `git worktree add`.
 */
export async function checkoutWorktree(worktree: string, options: { workers: number }): Promise<void> {
  // checkout.workers (git 2.32+; older versions ignore it) writes files with several processes: a lone
  // checkout of a thousand-file repository went from 0.75 s to 0.47 s on 2 cores. It changes no result.
  const parallel = [
    '-c',
    `checkout.workers=${options.workers}`,
    '-c',
    'checkout.thresholdForParallelism=100',
  ];
  await git(worktree, [...parallel, 'checkout', '--quiet', '--force']);
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

/** What git said when it failed, in one line (its last line of stderr), for "cannot read" messages. */
export function gitProblem(error: unknown): string {
  const details = (error as { details?: string[] }).details;
  const line = details?.at(-1) ?? (error as Error).message;
  return line.replace(/^(fatal|error): /, '');
}

/**
 * Commits a candidate holds outside its branch, which removing its worktree (and, unless kept, its
 * branch) would lose (issue 10 F2): those reachable only from its HEAD when that is detached (or on
 * another branch that goes too), and those reachable only from its reflogs (HEAD's, deleted with the
 * worktree; the branch's, deleted with the branch): an agent's `reset --hard` or `commit --amend` leaves
 * its earlier commits there. "Only" means from no ref that survives: every ref but the `doomed` branches,
 * nor from `keep` (the run's base, and the candidate's own branch, whose commits are counted on their own).
 */
export async function commitsOffBranch(
  root: string,
  worktree: string,
  options: { branch: string | null; doomed: string[]; keep: string[]; branchReflog: boolean },
): Promise<{ head: number; reflog: number; headBranch: string | null }> {
  const head = (
    await git(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { check: false })
  ).stdout.trim();
  const headBranch = await currentBranch(worktree);
  const survivors = [
    '--single-worktree',
    ...options.doomed.map((branch) => `--exclude=refs/heads/${branch}`),
    '--all',
    ...options.keep,
    ...(options.branch ? [`refs/heads/${options.branch}`] : []),
  ];
  const count = async (tips: string[], also: string[] = []): Promise<number> => {
    if (tips.length === 0) return 0;
    // The tips go on stdin: a long reflog would not fit on a command line.
    const result = await git(root, ['rev-list', '--count', '--stdin', '--not', ...survivors, ...also], {
      input: `${tips.join('\n')}\n`,
    });
    return Number(result.stdout.trim());
  };
  const offBranch = head !== '' && (headBranch === null || headBranch !== options.branch);
  const headCount = offBranch ? await count([head]) : 0;
  const reflogs = [await reflogCommits(worktree, 'HEAD')];
  if (options.branchReflog && options.branch)
    reflogs.push(await reflogCommits(root, `refs/heads/${options.branch}`));
  const tips = [...new Set(reflogs.flat())];
  const reflogCount = await count(tips, head === '' ? [] : [head]);
  return { head: headCount, reflog: reflogCount, headBranch };
}

/**
 * The commits a reflog names; none when the ref has no reflog. The reflog file is read directly where
 * there is one: git cannot walk the reflog of a HEAD whose branch was deleted ("unknown revision").
 */
export async function reflogCommits(cwd: string, ref: string): Promise<string[]> {
  const file = path.resolve(cwd, await gitOutput(cwd, ['rev-parse', '--git-path', `logs/${ref}`]));
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text !== null) {
    const ids = text.split('\n').map((line) => line.split(' ')[1] ?? '');
    return ids.filter((id) => /^[0-9a-f]{40,64}$/.test(id) && !/^0+$/.test(id));
  }
  // No file: a reftable repository (git 2.45+) keeps reflogs inside its tables.
  const exists = await git(cwd, ['reflog', 'exists', ref], { check: false });
  if (exists.exitCode !== 0) return [];
  const listed = await git(cwd, ['log', '--walk-reflogs', '--format=%H', ref, '--'], { check: false });
  return listed.stdout.split('\n').filter(Boolean);
}

/**
 * What a candidate's worktree holds that its removal would lose: uncommitted changes, untracked files,
 * and commits only its HEAD or reflogs reach. A worktree git cannot read (a damaged index, a broken
 * `.git` file) counts as holding work, and the phrase says why (issue 10 F3): "no changes" must mean
 * git said so, never that git failed.
 */
export async function worktreeRisks(
  root: string,
  candidate: Pick<Candidate, 'worktree'>,
  options: {
    against?: string;
    branch: string | null;
    doomed: string[];
    keep: string[];
    branchReflog: boolean;
  },
): Promise<string[]> {
  const phrases: string[] = [];
  try {
    // With its branch deleted by hand, a worktree's HEAD names nothing and `git status` calls every
    // tracked file new: what the worktree holds is then measured against the base commit instead.
    const changes = await uncommittedChanges(candidate.worktree, options.against);
    const untracked = changes.filter((line) => line.startsWith('??')).length;
    const modified = changes.length - untracked;
    if (modified > 0) phrases.push(`${modified} uncommitted change${modified === 1 ? '' : 's'}`);
    if (untracked > 0) phrases.push(`${untracked} untracked file${untracked === 1 ? '' : 's'}`);
  } catch (error) {
    phrases.push(`a worktree whose state git cannot read (${gitProblem(error)}), so its files count as work`);
    return phrases;
  }
  try {
    const off = await commitsOffBranch(root, candidate.worktree, options);
    const plural = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
    if (off.head > 0)
      phrases.push(
        `${plural(off.head)} only on its ${off.headBranch === null ? 'detached HEAD' : `HEAD (branch ${off.headBranch}, removed with the run)`}`,
      );
    if (off.reflog > 0) phrases.push(`${plural(off.reflog)} only in its reflog`);
  } catch (error) {
    phrases.push(`commits git cannot read (${gitProblem(error)})`);
  }
  return phrases;
}

/**
 * git-parallel's own files in a candidate (io/agent-hooks.ts): ignored there by a `.gitignore` beside
 * them, and never the candidate's own work.
 */
const OWN_IGNORED = new Set([
  '.claude/',
  '.claude/settings.local.json',
  '.claude/.gitignore',
  '.codex/',
  '.codex/config.toml',
  '.codex/.gitignore',
]);

/**
 * The ignored files and folders of a candidate that the candidate made itself: those the main worktree
 * does not have at the same path (so not the `.env` copies, linked `node_modules` and other prepared
 * files), and not git-parallel's own hook files. Removing a worktree deletes them, as `git worktree
 * remove` does (git treats ignored files as disposable); `rm` and `pick` name them (issue 10).
 */
export async function ignoredOnlyHere(worktree: string, mainRoot: string): Promise<string[]> {
  const entries = await ignoredEntries(worktree);
  const made: string[] = [];
  for (const entry of entries) {
    if (OWN_IGNORED.has(entry)) continue;
    const inMain = await lstat(path.join(mainRoot, entry)).then(
      () => true,
      () => false,
    );
    if (!inMain) made.push(entry);
  }
  return made;
}

/**
 * The newest commits only a worktree's reflogs reach (see commitsOffBranch), reduced to the fewest that
 * keep all of them reachable (`merge-base --independent`): what an archive adds as parents so that an
 * agent's `reset --hard` or `commit --amend` loses nothing either.
 */
export async function reflogOnlyTips(
  root: string,
  worktree: string,
  options: { branch: string | null; doomed: string[]; keep: string[] },
): Promise<string[]> {
  const reflogs = [await reflogCommits(worktree, 'HEAD')];
  if (options.branch) reflogs.push(await reflogCommits(root, `refs/heads/${options.branch}`));
  const tips = [...new Set(reflogs.flat())];
  if (tips.length === 0) return [];
  const survivors = [
    '--single-worktree',
    ...options.doomed.map((branch) => `--exclude=refs/heads/${branch}`),
    '--all',
    ...options.keep,
  ];
  const lost = (
    await git(root, ['rev-list', '--stdin', '--not', ...survivors], { input: `${tips.join('\n')}\n` })
  ).stdout
    .split('\n')
    .filter(Boolean);
  if (lost.length === 0) return [];
  return (await gitOutput(root, ['merge-base', '--independent', ...lost])).split('\n').filter(Boolean);
}
