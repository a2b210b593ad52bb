import path from 'node:path';
import { parseParentLines } from '../core/commit-graph.js';
import { fieldsOf, parseWorktreeList, type StatusEntry, type WorktreeEntry } from '../core/git-porcelain.js';
import { UsageError } from '../errors.js';
import {
  type GitResult,
  gitFailure,
  gitOutput,
  probeGit,
  runGit,
  runGitInEach,
  runGitTask,
} from './git-runner.js';

export type { GitResult, StatusEntry, WorktreeEntry };
export { gitFailure };

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

/** How many commits `to` has that `from` has not (`git rev-list --count from..to`). */
export async function commitsBetween(cwd: string, from: string, to: string): Promise<number> {
  if (from === to) return 0;
  return Number(await gitOutput(cwd, ['rev-list', '--count', `${from}..${to}`, '--']));
}

/**
 * The commits `tips` reach that `base` does not contain, each with its parents, for every tip in one
 * `rev-list --parents` (core/commit-graph.ts counts each tip's from it). The tips go on stdin: a command
 * line has room for fewer of them. Null when git cannot walk them (a commit it no longer has).
 */
export async function commitsNotIn(
  cwd: string,
  base: string,
  tips: string[],
): Promise<Map<string, string[]> | null> {
  if (tips.length === 0) return new Map();
  const listed = await runGit(cwd, ['rev-list', '--parents', '--stdin', '--not', base, '--'], {
    input: `${tips.join('\n')}\n`,
    check: false,
  });
  return listed.exitCode === 0 ? parseParentLines(listed.stdout) : null;
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
