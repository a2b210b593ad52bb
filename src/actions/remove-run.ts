import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { ARCHIVE_NAMESPACE } from '../io/archive.js';
import { pathExists } from '../io/files.js';
import {
  commitsNotIn,
  deleteBranches,
  listWorktrees,
  localBranches,
  pruneWorktrees,
  removeWorktree,
  uncommittedChanges,
} from '../io/git.js';
import type { MuxDriver } from '../io/mux.js';
import { dropRecordedDatabases, readResources, runRemovalHook } from '../io/prepared-state.js';
import { removeRunState, withStateLock } from '../io/state.js';

/** What removing a run would lose, one phrase per candidate that holds work. */
export async function workAtRisk(
  manifest: RunManifest,
  options: { keepBranches: boolean },
): Promise<string[]> {
  const containers = [manifest.base.commit];
  const branches = await localBranches(manifest.repo.root);
  if (manifest.base.ref && branches.has(manifest.base.ref))
    containers.push(`refs/heads/${manifest.base.ref}`);
  // Each candidate is asked on its own, all at once: the answers are independent git reads.
  const perCandidate = await Promise.all(
    manifest.candidates.map(async (candidate) => {
      const phrases: string[] = [];
      const hasBranch = branches.has(candidate.branch);
      if (await pathExists(candidate.worktree)) {
        // With its branch deleted by hand, a worktree's HEAD names nothing and `git status` calls every
        // tracked file new: what the worktree holds is then measured against the base commit instead.
        const changes = await uncommittedChanges(
          candidate.worktree,
          hasBranch ? undefined : manifest.base.commit,
        ).catch(() => []);
        const untracked = changes.filter((line) => line.startsWith('??')).length;
        const modified = changes.length - untracked;
        if (modified > 0) phrases.push(`${modified} uncommitted change${modified === 1 ? '' : 's'}`);
        if (untracked > 0) phrases.push(`${untracked} untracked file${untracked === 1 ? '' : 's'}`);
      }
      if (!options.keepBranches && hasBranch) {
        const ahead = await commitsNotIn(manifest.repo.root, candidate.branch, containers);
        if (ahead > 0)
          phrases.push(`${ahead} commit${ahead === 1 ? '' : 's'} not in ${manifest.base.ref ?? 'the base'}`);
      }
      return phrases.length > 0 ? `${candidate.name} has ${phrases.join(' and ')}` : null;
    }),
  );
  const risks = perCandidate.filter((risk): risk is string => risk !== null);
  return risks;
}

export async function assertNothingLost(
  manifest: RunManifest,
  options: { keepBranches: boolean; force: boolean },
): Promise<void> {
  if (options.force) return;
  const risks = await workAtRisk(manifest, options);
  if (risks.length > 0) {
    throw new UsageError(
      `removing ${manifest.task} would lose work: ${risks.join('; ')} (commit or merge it; or rm ${manifest.task} --archive to keep every candidate's work under ${ARCHIVE_NAMESPACE}${manifest.task}/, --keep-branches to keep the branches and their commits, --force to discard it)`,
    );
  }
}

/**
 * Removes everything a run created: its session, worktrees, branches (unless kept) and state. Only
 * worktrees git knows at the recorded path and branches with the recorded names are touched, and
 * creation checked those did not exist beforehand. Never throws for one stubborn part: it returns
 * what could not be removed, and keeps the state folder in that case so `rm` can be run again.
 */
export async function removeRunResources(
  manifest: RunManifest,
  dir: string,
  driver: MuxDriver,
  options: { keepBranches: boolean },
): Promise<string[]> {
  const leftovers: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      leftovers.push(`${what}: ${(error as Error).message}`);
    }
  };
  // A run opened with --tab lives in the user's own Zellij session, which is not ours to end.
  if (manifest.mux.session && !manifest.mux.tab)
    await attempt(`session ${manifest.mux.session}`, () => driver.killSession(manifest.mux.session!));
  const root = manifest.repo.root;
  const registered = new Set((await listWorktrees(root).catch(() => [])).map((w) => w.path));
  // Issue 5: the removal hooks and databases recorded when the run was prepared (none for older runs).
  const resources = await readResources(dir).catch(() => null);
  const ours = manifest.candidates.filter((candidate) => registered.has(candidate.worktree));
  if (resources) {
    for (const candidate of ours) {
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'preRemove', manifest, candidate, dir, process.env),
      );
      await attempt(`worktree ${candidate.worktree}`, () => removeWorktree(root, candidate.worktree));
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'postRemove', manifest, candidate, dir, process.env),
      );
    }
  } else {
    // What `git worktree remove --force` does, for all at once: delete the folders, then let one
    // `git worktree prune` drop git's records of them. (Work at risk was checked before this.)
    await Promise.all(
      ours.map((c) =>
        attempt(`worktree ${c.worktree}`, () => rm(c.worktree, { recursive: true, force: true })),
      ),
    );
  }
  // Under the state lock: a prune must not see the half-made admin folder of a run being created now.
  await attempt('worktree prune', () => withStateLock(manifest.repo.commonDir, () => pruneWorktrees(root)));
  // The folder holding the worktrees (`../<repo>-worktrees`) was made for them: drop it once empty.
  // rmdir never removes a folder with anything left in it, another run's worktrees included.
  for (const parent of new Set(manifest.candidates.map((c) => path.dirname(c.worktree)))) {
    await rmdir(parent).catch(() => {});
  }
  if (resources) await attempt('PostgreSQL', () => dropRecordedDatabases(resources));
  if (!options.keepBranches) {
    const branches = await localBranches(root);
    const existing = manifest.candidates.map((c) => c.branch).filter((branch) => branches.has(branch));
    if (existing.length > 0)
      await attempt(`branches ${existing.join(', ')}`, () => deleteBranches(root, existing));
  }
  if (leftovers.length === 0) await removeRunState(dir);
  return leftovers;
}
