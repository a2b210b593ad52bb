import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { ARCHIVE_NAMESPACE } from '../io/archive.js';
import { pathExists } from '../io/files.js';
import {
  commitsNotIn,
  deleteBranches,
  gitProblem,
  ignoredOnlyHere,
  listWorktrees,
  localBranches,
  pruneWorktrees,
  removeWorktree,
  uncommittedChanges,
  worktreeRisks,
} from '../io/git.js';
import type { MuxDriver } from '../io/mux.js';
import {
  dropRecordedDatabases,
  endSetupProcesses,
  readResources,
  runRemovalHook,
} from '../io/prepared-state.js';
import { assertDeletable, deleteRunFolder, type RunFolders } from '../io/safe-delete.js';
import { withStateLock } from '../io/state.js';

/** What removing a run would lose, one phrase per candidate that holds work. */
export async function workAtRisk(
  manifest: RunManifest,
  options: { keepBranches: boolean },
): Promise<string[]> {
  const containers = [manifest.base.commit];
  const branches = await localBranches(manifest.repo.root);
  if (manifest.base.ref && branches.has(manifest.base.ref))
    containers.push(`refs/heads/${manifest.base.ref}`);
  const doomed = options.keepBranches
    ? []
    : manifest.candidates.map((c) => c.branch).filter((b) => branches.has(b));
  // Each candidate is asked on its own, all at once: the answers are independent git reads.
  const perCandidate = await Promise.all(
    manifest.candidates.map(async (candidate) => {
      const phrases: string[] = [];
      const hasBranch = branches.has(candidate.branch);
      if (await pathExists(candidate.worktree)) {
        phrases.push(
          ...(await worktreeRisks(manifest.repo.root, candidate, {
            against: hasBranch ? undefined : manifest.base.commit,
            branch: hasBranch ? candidate.branch : null,
            doomed,
            keep: containers,
            branchReflog: !options.keepBranches,
          })),
        );
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
  options: { keepBranches: boolean; force: boolean; stopped?: boolean },
): Promise<void> {
  if (options.force) return;
  const risks = await workAtRisk(manifest, options);
  if (risks.length > 0) {
    // After the agents were stopped (the first check passed), the work is what they wrote as they ended.
    const what = options.stopped ? 'work its agents wrote as they stopped' : 'work';
    const state = options.stopped ? 'the agents are stopped, nothing was removed; ' : '';
    throw new UsageError(
      `removing ${manifest.task} would lose ${what}: ${risks.join('; ')} (${state}commit or merge it; or rm ${manifest.task} --archive to keep every candidate's work under ${ARCHIVE_NAMESPACE}${manifest.task}/, --keep-branches to keep the branches and their commits, --force to discard it)`,
    );
  }
}

/**
 * Before archiving (pick, rm --archive): a worktree git cannot read cannot be archived, and removing it
 * would lose what it holds, so this refuses up front, with nothing changed (issue 10 F3).
 */
export async function assertArchivable(manifest: RunManifest): Promise<void> {
  for (const candidate of manifest.candidates) {
    if (!(await pathExists(candidate.worktree))) continue;
    const problem = await uncommittedChanges(candidate.worktree).then(
      () => null,
      (error: unknown) => gitProblem(error),
    );
    if (problem !== null) {
      throw new UsageError(
        `cannot archive ${candidate.name}: git cannot read its worktree ${candidate.worktree} (${problem}); repair it, or git parallel rm ${manifest.task} --force deletes it`,
      );
    }
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
  options: { keepBranches: boolean; env: NodeJS.ProcessEnv },
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
  if (manifest.mux.session && manifest.mux.tab && driver.closeTab)
    await attempt(`tab ${manifest.task}`, () =>
      driver.closeTab!({ session: manifest.mux.session!, stateDir: dir }),
    );
  // Issue 13 item 14: what setup and postCreate left running in the background ends with the run.
  await attempt('setup processes', () => endSetupProcesses(manifest, options.env));
  const root = manifest.repo.root;
  const registered = new Set((await listWorktrees(root).catch(() => [])).map((w) => w.path));
  // Issue 5: the removal hooks and databases recorded when the run was prepared (none for older runs).
  const resources = await readResources(dir).catch(() => null);
  const ours = manifest.candidates.filter((candidate) => registered.has(candidate.worktree));
  // Issue 10: every folder deleted below is checked to be this run's state folder or one of its
  // worktrees, whatever run.json or git's marks say (safe-delete.ts).
  // The git dir is the one `dir` is in (the repository as it is now), not what run.json says.
  const folders: RunFolders = {
    commonDir: path.dirname(path.dirname(dir)),
    mainRoot: root,
    task: manifest.task,
    worktrees: manifest.candidates.map((c) => c.worktree),
  };
  if (resources) {
    for (const candidate of ours) {
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'preRemove', manifest, candidate, dir, options.env),
      );
      await attempt(`worktree ${candidate.worktree}`, async () => {
        await assertDeletable(folders, candidate.worktree);
        await removeWorktree(root, candidate.worktree);
      });
      await attempt(`${candidate.name}`, () =>
        runRemovalHook(resources, 'postRemove', manifest, candidate, dir, options.env),
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
  if (!options.keepBranches) {
    const branches = await localBranches(root);
    const existing = manifest.candidates.map((c) => c.branch).filter((branch) => branches.has(branch));
    if (existing.length > 0)
      await attempt(`branches ${existing.join(', ')}`, () => deleteBranches(root, existing));
  }
  if (leftovers.length === 0) await attempt(`state ${dir}`, () => deleteRunFolder(folders, dir));
  return leftovers;
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

/** "t-1: notes.local, build/; t-2: .cache/", at most 8 names per candidate; empty when there are none. */
export function describeIgnored(made: Record<string, string[]>): string {
  return Object.entries(made)
    .map(([name, entries]) => {
      const shown = entries.slice(0, 8).join(', ');
      return `${name}: ${shown}${entries.length > 8 ? ` and ${entries.length - 8} more` : ''}`;
    })
    .join('; ');
}
