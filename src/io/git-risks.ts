import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fieldsOf, parseStatusZ, type StatusEntry } from '../core/git-porcelain.js';
import type { Candidate } from '../core/types.js';
import { currentBranch, ignoredEntries } from './git.js';
import { gitOutput, runGit } from './git-runner.js';

/**
 * What git says is at risk before anything is removed: a worktree's uncommitted and untracked work,
 * commits no other branch holds, ignored files only a candidate has, and tips only a reflog remembers.
 * rm, pick and prune ask these before they delete (the rest of git's named calls are io/git.ts).
 */

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
