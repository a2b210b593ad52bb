import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { planRemoval, type RemovalFacts, type RemovalPlan } from '../core/removal-plan.js';
import type { RunManifest } from '../core/types.js';
import { type ArchiveResult, archiveRun } from '../io/archive.js';
import { pathExists } from '../io/files.js';
import { deleteBranches, listWorktrees, localBranches, pruneWorktrees, removeWorktree } from '../io/git.js';
import { ignoredOnlyHere } from '../io/git-risks.js';
import type { MuxDriver } from '../io/mux.js';
import {
  dropRecordedDatabases,
  endSetupProcesses,
  readResources,
  runRemovalHook,
} from '../io/prepared-state.js';
import { assertDeletable, deleteRunFolder, type RunFolders } from '../io/safe-delete.js';
import { withStateLock } from '../io/state.js';
import { workAtRisk } from './work-at-risk.js';

/** Reads what removing a run must know, changing nothing; a damaged resources.json stops here. */
export async function gatherRemovalFacts(
  manifest: RunManifest,
  dir: string,
  options: { keepBranches: boolean; ignored: boolean; risks: boolean },
): Promise<RemovalFacts> {
  const root = manifest.repo.root;
  // Read first: a damaged record stops the command before anything is changed (DamagedRecord).
  const resources = await readResources(dir);
  const [registered, branches, ignored, losing] = await Promise.all([
    listWorktrees(root)
      .then((worktrees) => new Set(worktrees.map((w) => w.path)))
      .catch(() => new Set<string>()),
    localBranches(root),
    // Which ignored files go, and what work is lost (not when archived), matter to a plan that is
    // shown (--dry-run); a rollback skips them, and a removal lists the ignored files once, after its
    // agents stopped (withIgnoredListed).
    options.ignored ? ignoredMadeByCandidates(manifest) : Promise.resolve(null),
    options.risks ? workAtRisk(manifest, options) : Promise.resolve([]),
  ]);
  return { manifest, resources, registered, branches, ignored, losing };
}

/**
 * Plans and carries out the removal of a run in one go, for the callers that show no plan (a creation
 * rolled back, the demo, prune); see removeRun.
 */
export async function removeRunResources(
  manifest: RunManifest,
  dir: string,
  driver: MuxDriver,
  options: { keepBranches: boolean; env: NodeJS.ProcessEnv },
): Promise<string[]> {
  const facts = await gatherRemovalFacts(manifest, dir, {
    keepBranches: options.keepBranches,
    ignored: false,
    risks: false,
  });
  const plan = planRemoval(facts, { keepBranches: options.keepBranches, archiveUnder: null });
  return (await removeRun(plan, facts, dir, driver, options.env)).leftovers;
}

/** What a removal did: the archives it made first, the ignored files it deleted, what it could not remove. */
export interface RemovalDone {
  archives: ArchiveResult[];
  ignoredDeleted: Record<string, string[]>;
  leftovers: string[];
}

/**
 * Carries out a removal plan (pick's and rm's one way to end a run): the archives, then its session,
 * worktrees, hooks, databases, branches, and the state. What the plan names is removed only while it
 * is still there (git still knows the worktree, the branch still exists): the agents were stopped
 * since it was made. A failed archive throws with nothing removed; after that it never throws for one
 * stubborn part: it returns what could not be removed, and keeps the state folder in that case so
 * `rm` can be run again.
 */
export async function removeRun(
  plan: RemovalPlan,
  facts: RemovalFacts,
  dir: string,
  driver: MuxDriver,
  env: NodeJS.ProcessEnv,
): Promise<RemovalDone> {
  const { manifest, resources } = facts;
  const archives = plan.archiveUnder === null ? [] : await archiveRun(manifest);
  // As the caller listed them (withIgnoredListed); none for a removal that reports none (a rollback).
  const ignoredDeleted = facts.ignored ?? {};
  const leftovers: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      leftovers.push(`${what}: ${(error as Error).message}`);
    }
  };
  if (plan.session) await attempt(`session ${plan.session}`, () => driver.killSession(plan.session!));
  if (plan.tab && driver.closeTab)
    await attempt(`tab ${plan.tab}`, () =>
      driver.closeTab!({ session: manifest.mux.session!, stateDir: dir }),
    );
  // Issue 13 item 14: what setup and postCreate left running in the background ends with the run.
  await attempt('setup processes', () => endSetupProcesses(manifest, env));
  const root = manifest.repo.root;
  const registered = new Set((await listWorktrees(root).catch(() => [])).map((w) => w.path));
  const planned = new Set(plan.worktrees.map((w) => w.path));
  const ours = manifest.candidates.filter((c) => planned.has(c.worktree) && registered.has(c.worktree));
  // Issue 10: every folder deleted below is checked to be this run's state folder or one of its
  // worktrees, whatever run.json or git's marks say (safe-delete.ts).
  // The git dir is the one `dir` is in (the repository as it is now), not what run.json says.
  const folders: RunFolders = {
    commonDir: path.dirname(path.dirname(dir)),
    mainRoot: root,
    task: manifest.task,
    worktrees: manifest.candidates.map((c) => c.worktree),
  };
  // Issue 5: the removal hooks and databases recorded when the run was prepared (none for older runs).
  if (resources) {
    for (const candidate of ours) {
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'preRemove', manifest, candidate, dir, env),
      );
      await attempt(`worktree ${candidate.worktree}`, async () => {
        await assertDeletable(folders, candidate.worktree);
        await removeWorktree(root, candidate.worktree);
      });
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'postRemove', manifest, candidate, dir, env),
      );
    }
  } else {
    // What `git worktree remove --force` does, for all at once: delete the folders, then let one
    // `git worktree prune` drop git's records of them. (Work at risk was checked before this.)
    await Promise.all(
      ours.map((c) => attempt(`worktree ${c.worktree}`, () => deleteRunFolder(folders, c.worktree))),
    );
  }
  // A creation killed inside `git worktree add` (see clearKilledRegistrations) left folders git does not
  // know, holding nothing or a lone `.git` pointer file (maybe half written): nothing to lose, and the run
  // made them. A `.git` folder (a repository) or anything else is left alone.
  for (const candidate of manifest.candidates) {
    if (registered.has(candidate.worktree)) continue;
    await attempt(`worktree ${candidate.worktree}`, () => removeEmptyCheckout(candidate.worktree));
  }
  // Under the state lock: a prune must not see the half-made admin folder of a run being created now.
  await attempt('worktree prune', () => withStateLock(manifest.repo.commonDir, () => pruneWorktrees(root)));
  // The folder holding the worktrees (`../<repo>-worktrees`) was made for them: drop it once empty.
  // rmdir never removes a folder with anything left in it, another run's worktrees included.
  for (const parent of new Set(manifest.candidates.map((c) => path.dirname(c.worktree)))) {
    await rmdir(parent).catch(() => {});
  }
  if (resources) await attempt('PostgreSQL', () => dropRecordedDatabases(resources));
  if (plan.branches.length > 0) {
    const branches = await localBranches(root);
    const existing = plan.branches.filter((branch) => branches.has(branch));
    if (existing.length > 0)
      await attempt(`branches ${existing.join(', ')}`, () => deleteBranches(root, existing));
  }
  if (leftovers.length === 0) await attempt(`state ${dir}`, () => deleteRunFolder(folders, dir));
  return { archives, ignoredDeleted, leftovers };
}

/**
 * The facts with the candidates' ignored files listed now, for a removal to report what it deletes:
 * after the agents stopped (they may make more as they stop), and once (the facts gathered before list
 * them only for a plan that is shown).
 */
export async function withIgnoredListed(facts: RemovalFacts): Promise<RemovalFacts> {
  return { ...facts, ignored: await ignoredMadeByCandidates(facts.manifest) };
}

/** Deletes `folder` when it holds nothing, or nothing but a small `.git` file (a worktree's pointer). */
async function removeEmptyCheckout(folder: string): Promise<void> {
  const entries = await readdir(folder).catch(() => null);
  if (entries === null || entries.length > 1 || (entries.length === 1 && entries[0] !== '.git')) return;
  if (entries.length === 1) {
    const pointer = await lstat(path.join(folder, '.git'));
    if (!pointer.isFile() || pointer.size > 4096) return;
    await unlink(path.join(folder, '.git'));
  }
  await rmdir(folder);
}

/** Per candidate name, the ignored files it made itself (see ignoredOnlyHere); candidates without any are left out. */
export async function ignoredMadeByCandidates(manifest: RunManifest): Promise<Record<string, string[]>> {
  const made: Record<string, string[]> = {};
  for (const candidate of manifest.candidates) {
    if (!(await pathExists(candidate.worktree))) continue;
    // A worktree git cannot read has no list to give; rm only gets here with --force for it.
    const entries = await ignoredOnlyHere(candidate.worktree, manifest.repo.root).catch(() => []);
    if (entries.length > 0) made[candidate.name] = entries;
  }
  return made;
}
