import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { pathExists } from '../io/files.js';
import {
  branchExists,
  commitsNotIn,
  deleteBranch,
  listWorktrees,
  pruneWorktrees,
  removeWorktree,
  uncommittedChanges,
} from '../io/git.js';
import type { MuxDriver } from '../io/mux.js';
import { dropRecordedDatabases, readResources, runRemovalHook } from '../io/prepared-state.js';
import { removeRunState } from '../io/state.js';

/** What removing a run would lose, one phrase per candidate that holds work. */
export async function workAtRisk(
  manifest: RunManifest,
  options: { keepBranches: boolean },
): Promise<string[]> {
  const risks: string[] = [];
  const containers = [manifest.base.commit];
  if (manifest.base.ref && (await branchExists(manifest.repo.root, manifest.base.ref)))
    containers.push(`refs/heads/${manifest.base.ref}`);
  for (const candidate of manifest.candidates) {
    const phrases: string[] = [];
    if (await pathExists(candidate.worktree)) {
      // With its branch deleted by hand, a worktree's HEAD names nothing and `git status` calls every
      // tracked file new: what the worktree holds is then measured against the base commit instead.
      const hasBranch = await branchExists(manifest.repo.root, candidate.branch);
      const changes = await uncommittedChanges(
        candidate.worktree,
        hasBranch ? undefined : manifest.base.commit,
      ).catch(() => []);
      const untracked = changes.filter((line) => line.startsWith('??')).length;
      const modified = changes.length - untracked;
      if (modified > 0) phrases.push(`${modified} uncommitted change${modified === 1 ? '' : 's'}`);
      if (untracked > 0) phrases.push(`${untracked} untracked file${untracked === 1 ? '' : 's'}`);
    }
    if (!options.keepBranches && (await branchExists(manifest.repo.root, candidate.branch))) {
      const ahead = await commitsNotIn(manifest.repo.root, candidate.branch, containers);
      if (ahead > 0)
        phrases.push(`${ahead} commit${ahead === 1 ? '' : 's'} not in ${manifest.base.ref ?? 'the base'}`);
    }
    if (phrases.length > 0) risks.push(`${candidate.name} has ${phrases.join(' and ')}`);
  }
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
      `removing ${manifest.task} would lose work: ${risks.join('; ')} (commit or merge it, or use --force)`,
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
  for (const candidate of manifest.candidates) {
    if (!registered.has(candidate.worktree)) continue;
    if (resources)
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'preRemove', manifest, candidate, dir, process.env),
      );
    await attempt(`worktree ${candidate.worktree}`, () => removeWorktree(root, candidate.worktree));
    if (resources)
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'postRemove', manifest, candidate, dir, process.env),
      );
  }
  await attempt('worktree prune', () => pruneWorktrees(root));
  // The folder holding the worktrees (`../<repo>-worktrees`) was made for them: drop it once empty.
  // rmdir never removes a folder with anything left in it, another run's worktrees included.
  for (const parent of new Set(manifest.candidates.map((c) => path.dirname(c.worktree)))) {
    await rmdir(parent).catch(() => {});
  }
  if (resources) await attempt('PostgreSQL', () => dropRecordedDatabases(resources));
  if (!options.keepBranches) {
    for (const candidate of manifest.candidates) {
      if (await branchExists(root, candidate.branch))
        await attempt(`branch ${candidate.branch}`, () => deleteBranch(root, candidate.branch));
    }
  }
  if (leftovers.length === 0) await removeRunState(dir);
  return leftovers;
}
