import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  parseStatusZ,
  parseWorktreeList,
  type StatusEntry,
  type WorktreeEntry,
} from '../core/git-porcelain.js';
import type { Candidate } from '../core/types.js';
import { UsageError } from '../errors.js';
import {
  type GitOptions,
  type GitResult,
  gitFailure,
  probeGit,
  runGit,
  runGitInEach,
  runGitTask,
} from './git-runner.js';

export type { GitResult, StatusEntry, WorktreeEntry };
export { gitFailure };

/** Runs a git command whose output is all that matters, trimmed. */
async function gitOutput(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

/** NUL-separated output (`-z`) as its fields, without the empty one after the last NUL. */
function fieldsOf(text: string): string[] {
  return text.split('\0').filter((field) => field !== '');
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
  const probe = await probeGit(
    cwd,
    ['rev-parse', '--is-bare-repository', '--git-common-dir', '--show-toplevel'],
    {
      check: false,
    },
  );
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
  let [bare, commonDir, cwdRoot, ...more] = probe.stdout.replace(/\n$/, '').split('\n');
  if (more.length > 0) {
    // A path with a newline in it (rev-parse has no -z): each path read on its own, then unambiguous.
    const alone = async (option: string) =>
      (await probeGit(cwd, ['rev-parse', option])).stdout.replace(/\n$/, '');
    [commonDir, cwdRoot] = [await alone('--git-common-dir'), await alone('--show-toplevel')];
  }
  if (bare === 'true' || !cwdRoot)
    throw new UsageError(`${cwd} is a bare repository; run git parallel in a working tree`);
  const absoluteCommon = path.resolve(cwd, commonDir!);
  const mainRoot =
    (
      await listWorktrees(cwdRoot, { run: probeGit }).catch((error: unknown) => {
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
  const result = await runGit(
    cwd,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    {
      check: false,
    },
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** The branch HEAD is on, or null for a detached HEAD. */
export async function currentBranch(cwd: string): Promise<string | null> {
  const result = await runGit(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { check: false });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  const result = await runGit(cwd, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    check: false,
  });
  return result.exitCode === 0;
}

/**
 * Ignored files and folders of a worktree (a wholly ignored folder is one entry, ending in "/"): what
 * `copy`, `link` and `init` pick from.
 */
export async function ignoredEntries(root: string): Promise<string[]> {
  const listing = await runGit(root, [
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

/**
 * The repository's worktrees, the main one first. `gitDir`: read through that git dir instead of the
 * one `cwd` is in (a moved repository, whose worktrees git cannot find yet).
 */
export async function listWorktrees(
  cwd: string,
  options: { gitDir?: string; run?: typeof runGit } = {},
): Promise<WorktreeEntry[]> {
  const dir = options.gitDir === undefined ? [] : ['--git-dir', options.gitDir];
  const run = options.run ?? runGit;
  const listed = await run(cwd, [...dir, 'worktree', 'list', '--porcelain', '-z'], { check: false });
  if (listed.exitCode === 0) return parseWorktreeList(listed.stdout, '\0');
  // git before 2.36 has no -z (exit 129, "unknown switch"): its newline form, which a path with a
  // newline in it would break.
  if (listed.exitCode !== 129) throw gitFailure(listed);
  return parseWorktreeList((await run(cwd, [...dir, 'worktree', 'list', '--porcelain'])).stdout, '\n');
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
  await runGit(repoRoot, ['worktree', 'add', '--quiet', '--no-checkout', '-b', branch, worktree, baseCommit]);
}

/**
 * Fills registered worktrees, `width` at a time (simple-git's process limit): the slow part, and checkouts
 * are mostly file writes that overlap well (on 2 cores, 10 worktrees of vite took 0.87 s two at a time vs
 * 1.53 s one by one). The user's post-checkout hook runs here, once per worktree, as it does for `git
 * worktree add`. `done` is told as each one finishes.
 */
export async function checkoutWorktrees(
  worktrees: string[],
  options: { width: number; workers: number; done?: (worktree: string) => void },
): Promise<void> {
  // checkout.workers (git 2.32+; older versions ignore it) writes files with several processes: a lone
  // checkout of a thousand-file repository went from 0.75 s to 0.47 s on 2 cores. It changes no result.
  const parallel = [
    '-c',
    `checkout.workers=${options.workers}`,
    '-c',
    'checkout.thresholdForParallelism=100',
  ];
  // No abort signal: an interrupt stops creation between git commands, never inside one, so the rollback
  // never races a checkout still writing into the folder it removes (see createWorktrees).
  await runGitInEach(worktrees, () => [...parallel, 'checkout', '--quiet', '--force'], {
    width: options.width,
    done: options.done,
  });
}

export async function removeWorktree(repoRoot: string, worktree: string): Promise<void> {
  // --force twice also removes a locked worktree; the caller has already checked for work to lose.
  await runGit(repoRoot, ['worktree', 'remove', '--force', '--force', worktree]);
}

export async function deleteBranches(repoRoot: string, branches: string[]): Promise<void> {
  await runGit(repoRoot, ['branch', '-D', '--quiet', '--', ...branches]);
}

export async function pruneWorktrees(repoRoot: string): Promise<void> {
  await runGit(repoRoot, ['worktree', 'prune']);
}

/**
 * Uncommitted and untracked paths in a worktree (`git status --porcelain=v1 -z` entries); measured
 * against `against` (a commit) instead of HEAD when given: then changed paths come as ` M`.
 */
export async function uncommittedChanges(worktree: string, against?: string): Promise<StatusEntry[]> {
  if (against === undefined) {
    // --no-optional-locks: a read must not write the index (on a full disk that write fails, and status with it).
    const args = ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=all'];
    return parseStatusZ((await runGit(worktree, args)).stdout);
  }
  const changed = fieldsOf((await runGit(worktree, ['diff', '--name-only', '-z', against, '--'])).stdout);
  const untracked = fieldsOf(
    (await runGit(worktree, ['ls-files', '-z', '--others', '--exclude-standard'])).stdout,
  );
  return [
    ...changed.map((path) => ({ code: ' M', path })),
    ...untracked.map((path) => ({ code: '??', path })),
  ];
}

/** Paths whose tracked content differs from HEAD, staged or not (untracked files are not counted). */
export async function trackedChanges(cwd: string): Promise<StatusEntry[]> {
  const args = ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=no'];
  return parseStatusZ((await runGit(cwd, args)).stdout);
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
    await runGit(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { check: false })
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
    const result = await runGit(root, ['rev-list', '--count', '--stdin', '--not', ...survivors, ...also], {
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
  const exists = await runGit(cwd, ['reflog', 'exists', ref], { check: false });
  if (exists.exitCode !== 0) return [];
  const listed = await runGit(cwd, ['log', '--walk-reflogs', '--format=%H', ref, '--'], { check: false });
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
    const untracked = changes.filter((entry) => entry.code === '??').length;
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
    await runGit(root, ['rev-list', '--stdin', '--not', ...survivors], { input: `${tips.join('\n')}\n` })
  ).stdout
    .split('\n')
    .filter(Boolean);
  if (lost.length === 0) return [];
  return (await gitOutput(root, ['merge-base', '--independent', ...lost])).split('\n').filter(Boolean);
}

/** How many commits `to` has that `from` has not (`git rev-list --count from..to`). */
export async function commitsBetween(cwd: string, from: string, to: string): Promise<number> {
  if (from === to) return 0;
  return Number(await gitOutput(cwd, ['rev-list', '--count', `${from}..${to}`, '--']));
}

/** The repository's remotes, by name (`git remote`). */
export async function remoteNames(cwd: string): Promise<string[]> {
  return (await gitOutput(cwd, ['remote'])).split('\n').filter(Boolean);
}

/** A config value (`git config --get`), or null when it is not set. */
export async function configValue(cwd: string, key: string): Promise<string | null> {
  const result = await runGit(cwd, ['config', '--get', key], { check: false });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Pushes a local branch to `remote` under the same name, and makes it the branch's upstream. */
export async function pushBranch(
  cwd: string,
  remote: string,
  branch: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const ref = `refs/heads/${branch}`;
  await runGit(cwd, ['push', '--quiet', '--set-upstream', remote, `${ref}:${ref}`], { env });
}

/** The commit HEAD is at. */
export async function headCommit(cwd: string): Promise<string> {
  return gitOutput(cwd, ['rev-parse', 'HEAD']);
}

/**
 * Commits everything a worktree holds, untracked files too, on its current branch. `--no-verify`: this
 * commit only preserves what an agent left; the user's commit hooks run on the commit that lands on the
 * target branch.
 */
export async function commitAllWork(
  worktree: string,
  message: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await runGit(worktree, ['add', '--all'], { env });
  await runGit(worktree, ['commit', '--quiet', '--no-verify', '-m', message], { env });
}

/**
 * The steps of a pick that may stop on a conflict: their result is returned, never thrown, so the caller
 * can tell a conflict (left for the user to resolve) from another failure. None of them opens an editor.
 */
function withoutEditor(env: NodeJS.ProcessEnv): GitOptions {
  return { check: false, env: { ...env, GIT_EDITOR: 'true' } };
}

/** `git merge --no-ff`: always a merge commit, with `message`. */
export function mergeWithCommit(
  cwd: string,
  branch: string,
  message: string,
  env: NodeJS.ProcessEnv,
): Promise<GitResult> {
  return runGit(cwd, ['merge', '--no-ff', '--no-edit', '-m', message, branch], withoutEditor(env));
}

/** `git merge --squash`: the branch's changes staged, not committed. */
export function squashMerge(cwd: string, branch: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(cwd, ['merge', '--squash', branch], withoutEditor(env));
}

/** Commits what is staged, with `message`, or git's prepared message (a squash's) when there is none. */
export function commitStaged(
  cwd: string,
  message: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<GitResult> {
  const messageArgs = message !== undefined ? ['-m', message] : ['--no-edit'];
  return runGit(cwd, ['commit', '--quiet', ...messageArgs], withoutEditor(env));
}

/** Rebases the branch a worktree is on onto `onto`. */
export function rebaseOnto(worktree: string, onto: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(worktree, ['rebase', onto], withoutEditor(env));
}

/** `git merge --ff-only`. */
export function fastForward(cwd: string, branch: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(cwd, ['merge', '--ff-only', branch], withoutEditor(env));
}

/** The paths a merge or rebase left in conflict. */
export async function conflictedPaths(cwd: string): Promise<string[]> {
  const result = await runGit(cwd, ['diff', '--name-only', '-z', '--diff-filter=U'], { check: false });
  return fieldsOf(result.stdout);
}

/** Whether `file` (from the top of the repository) is in `commit`. */
export async function existsAtCommit(cwd: string, commit: string, file: string): Promise<boolean> {
  return (await runGit(cwd, ['cat-file', '-e', `${commit}:${file}`], { check: false })).exitCode === 0;
}

/** A file's content in a commit, or null when the commit has no such file. */
export async function fileAtCommit(cwd: string, commit: string, file: string): Promise<string | null> {
  const blob = await runGit(cwd, ['cat-file', 'blob', `${commit}:${file}`], { check: false });
  return blob.exitCode === 0 ? blob.stdout : null;
}

/**
 * Which of `files` (from the top of the repository) `commit` holds, each with its object id: one call for
 * a handful of files, so a run is planned from its base before any worktree exists.
 */
export async function filesAtCommit(
  cwd: string,
  commit: string,
  files: readonly string[],
): Promise<Map<string, string>> {
  const listing = await runGit(cwd, ['ls-tree', '-z', commit, '--', ...files]);
  const found = new Map<string, string>();
  for (const entry of fieldsOf(listing.stdout)) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (match) found.set(match[2]!, match[1]!);
  }
  return found;
}

/** A blob's content, by its id. */
export async function readBlob(cwd: string, blob: string): Promise<string> {
  return (await runGit(cwd, ['cat-file', 'blob', blob])).stdout;
}

/** Whether git ignores `file` in the worktree at `cwd` (`git check-ignore`; its own errors are thrown). */
export async function isIgnored(cwd: string, file: string): Promise<boolean> {
  const result = await runGit(cwd, ['check-ignore', '-q', '--', file], { check: false });
  if (result.exitCode > 1) throw gitFailure(result);
  return result.exitCode === 0;
}

/** Whether git tracks `file` in the worktree at `cwd`. */
export async function isTracked(cwd: string, file: string): Promise<boolean> {
  return (await runGit(cwd, ['ls-files', '--error-unmatch', '--', file], { check: false })).exitCode === 0;
}

/** A commit author and committer given on the command line (`-c user.name=… -c user.email=…`). */
export interface Identity {
  name: string;
  email: string;
}

function identityArgs(identity: Identity): string[] {
  return [
    '-c',
    `user.name=${identity.name}`,
    '-c',
    `user.email=${identity.email}`,
    '-c',
    'commit.gpgsign=false',
  ];
}

/** A new repository in `dir`, on `branch`. */
export async function initRepository(dir: string, branch: string): Promise<void> {
  await runGit(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
}

/** Commits every file of the worktree (`add -A`), as `identity`. */
export async function commitEverything(cwd: string, message: string, identity: Identity): Promise<void> {
  await runGit(cwd, ['add', '-A']);
  await runGit(cwd, [...identityArgs(identity), 'commit', '--quiet', '-m', message]);
}

/** Commits the changes to tracked files (`commit -a`), as `identity`. */
export async function commitTrackedChanges(cwd: string, message: string, identity: Identity): Promise<void> {
  await runGit(cwd, [...identityArgs(identity), 'commit', '--quiet', '-am', message]);
}

/** Whether git has a committer name and email to use in `cwd` (from the user's config or environment). */
export async function hasCommitterIdentity(cwd: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  return (await runGit(cwd, ['var', 'GIT_COMMITTER_IDENT'], { check: false, env })).exitCode === 0;
}

/** Sets the repository's own user.name and user.email. */
export async function setRepositoryIdentity(cwd: string, identity: Identity): Promise<void> {
  await runGit(cwd, ['config', 'user.name', identity.name]);
  await runGit(cwd, ['config', 'user.email', identity.email]);
}

/** When the newest commit of `ref` was committed, read through simple-git's log parser. */
export async function lastCommitTime(cwd: string, ref: string): Promise<Date> {
  const log = await runGitTask(cwd, ['log', '-1', '--format=%ct', ref], (git) =>
    git.log<{ committed: string }>({ maxCount: 1, format: { committed: '%ct' }, [ref]: null, '--': null }),
  );
  return new Date(Number(log.latest?.committed) * 1000);
}
