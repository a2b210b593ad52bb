import { readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { taskNameProblem } from '../core/names.js';
import { CommandFailure } from '../errors.js';

/**
 * The single place that deletes folders for `rm`, `pick`, `prune` and archives (issue 10). A bug anywhere
 * else (a task name that is a path, a hand-edited run.json, a recovered run with an empty name) must not
 * be able to delete `.git`, the repository or anything around it, so every recursive delete goes through
 * `deleteRunFolder`, which accepts exactly two kinds of folder:
 *
 *   - the run's own state folder: `<git-common-dir>/parallel/<task>` for a valid task name;
 *   - a worktree the run recorded, and only while it is one of this repository's linked worktrees (its
 *     `.git` is a file pointing into `<git-common-dir>/worktrees/`), and neither the main worktree nor a
 *     folder holding it or the git dir.
 *
 * `deleteOrphanedCheckout` deletes a third kind for `prune --runs`: a checkout of this repository whose
 * registration git has lost. Anything else is refused with a CommandFailure naming the path and the rule
 * it broke.
 */
export interface RunFolders {
  /** The repository's common git dir (`.git`). */
  commonDir: string;
  /** The main worktree. */
  mainRoot: string;
  task: string;
  /** The worktrees the run recorded (run.json, or git's marks for a damaged run). */
  worktrees: readonly string[];
}

/** Why `target` must not be deleted for this run, or null when it may be. */
export async function deletionProblem(folders: RunFolders, target: string): Promise<string | null> {
  if (!path.isAbsolute(target)) return 'it is not an absolute path';
  const wanted = path.resolve(target);
  const stateFolder = path.join(folders.commonDir, 'parallel', folders.task);
  if (wanted === stateFolder) {
    const problem = taskNameProblem(folders.task);
    return problem ? `the task name ${JSON.stringify(folders.task)} ${problem}` : null;
  }
  if (!folders.worktrees.some((w) => path.resolve(w) === wanted))
    return `it is neither the state folder of ${folders.task} nor one of its worktrees`;
  return linkedCheckoutProblem(folders, wanted, 'registered');
}

/**
 * Why `target` is not a checkout of this repository that may be deleted: it must hold neither the git dir
 * nor the main worktree, lie outside the git dir, and have a `.git` file naming an admin folder in
 * `<git-common-dir>/worktrees/`. A `registered` checkout is a recorded worktree; an `orphaned` one is a
 * checkout git no longer knows (its admin folder is gone), which `prune --runs` removes (issue 10 F7).
 */
async function linkedCheckoutProblem(
  repo: Pick<RunFolders, 'commonDir' | 'mainRoot'>,
  target: string,
  kind: 'registered' | 'orphaned',
): Promise<string | null> {
  // Compare real paths: a symlinked temporary folder (/tmp on macOS) must not hide an ancestor.
  const real = await realpathOrNull(target);
  if (real === null) return null; // Nothing there: nothing to delete.
  const common = (await realpathOrNull(repo.commonDir)) ?? path.resolve(repo.commonDir);
  const main = (await realpathOrNull(repo.mainRoot)) ?? path.resolve(repo.mainRoot);
  for (const [what, kept] of [
    ['the git dir', common],
    ['the main worktree', main],
  ] as const) {
    if (isInside(kept, real)) return `it is ${kept === real ? '' : 'a folder holding '}${what} ${kept}`;
  }
  if (isInside(real, common)) return `it is inside the git dir ${common}`;
  const pointer = await readFile(path.join(real, '.git'), 'utf8').catch(() => null);
  const gitdir = pointer?.match(/^gitdir: (.*)$/m)?.[1]?.trim();
  if (!gitdir) return 'it is not a linked worktree (its .git is not a file naming git’s admin folder)';
  const admin = (await realpathOrNull(path.resolve(real, gitdir))) ?? path.resolve(real, gitdir);
  if (path.dirname(admin) !== path.join(common, 'worktrees'))
    return `it is a worktree of another repository (its .git points to ${admin})`;
  if (kind === 'orphaned' && (await realpathOrNull(admin)) !== null)
    return `git still knows it as a worktree (${admin} exists)`;
  return null;
}

/**
 * Deletes a checkout folder git no longer knows (see linkedCheckoutProblem); the caller has made sure
 * it holds nothing the repository lacks, or was told --force.
 */
export async function deleteOrphanedCheckout(
  repo: Pick<RunFolders, 'commonDir' | 'mainRoot'>,
  target: string,
): Promise<void> {
  const problem = path.isAbsolute(target)
    ? await linkedCheckoutProblem(repo, target, 'orphaned')
    : 'it is not an absolute path';
  if (problem) throw new CommandFailure(`refusing to delete ${target}: ${problem}`);
  await rm(target, { recursive: true, force: true });
}

/** Deletes a run's state folder or one of its worktrees, after `deletionProblem` allowed it. */
export async function deleteRunFolder(folders: RunFolders, target: string): Promise<void> {
  await assertDeletable(folders, target);
  const stateFolder = path.join(folders.commonDir, 'parallel', folders.task);
  if (path.resolve(target) !== stateFolder) {
    await rm(target, { recursive: true, force: true });
    return;
  }
  // The state folder goes in one step: renamed aside first (atomic), then deleted. Deleted in place, a
  // second `rm` of the run could claim it (`.removing`) in the half-deleted folder, and the first `rm`
  // then failed with ENOTEMPTY. The aside name carries the pid, so state.ts sweeps what a kill leaves.
  const aside = path.join(path.dirname(stateFolder), `.deleting-${process.pid}-${folders.task}`);
  try {
    await rename(stateFolder, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/** For deletions done by another program (`git worktree remove`): the same rule, checked first. */
export async function assertDeletable(folders: RunFolders, target: string): Promise<void> {
  const problem = await deletionProblem(folders, target);
  if (problem) throw new CommandFailure(`refusing to delete ${target}: ${problem}`);
}

/** Whether `inner` is `outer` or inside it. */
function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function realpathOrNull(file: string): Promise<string | null> {
  return realpath(file).catch(() => null);
}
