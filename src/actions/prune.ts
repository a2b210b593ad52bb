import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { parseDuration } from '../core/durations.js';
import { CommandFailure, UsageError } from '../errors.js';
import { type ArchiveEntry, dropArchives } from '../io/archive.js';
import { pruneWorktrees, type RepoFacts, readRepo } from '../io/git.js';
import { recoveredDriver, recoveredWorkAtRisk, recoverManifest } from '../io/recovery.js';
import { deleteOrphanedCheckout } from '../io/safe-delete.js';
import { listManifests, runDir, withStateLock } from '../io/state.js';
import { findOrphanedCheckouts, holdsOnlyKnownContent } from '../io/unfinished-checkout.js';
import { findMarkedWorktrees } from '../io/worktree-marks.js';
import { formatAge, formatTable, type Reporter } from '../output/reporter.js';
import { removeRunResources } from './apply-removal.js';

export interface PruneArgs {
  /** Drop archives (refs/git-parallel/…). */
  archives: boolean;
  /** Remove damaged runs and orphaned worktrees (refused where work would be lost, unless force). */
  runs?: boolean;
  force?: boolean;
  /** A duration such as 30d: only what is older. */
  olderThan?: string;
  dryRun: boolean;
}

interface PruneIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  now: Date;
}

/**
 * `git parallel prune --archives [--older-than 30d]`. Each kind of thing prune can drop is one entry
 * below with its own flag; the command asks for at least one, so a bare `prune` never drops anything
 * by surprise. (A later mode, e.g. damaged runs, adds an entry and a flag.)
 */
const MODES: {
  flag: keyof PruneArgs & string;
  describe: string;
  run: (args: PruneArgs, io: PruneIo) => Promise<unknown>;
}[] = [
  { flag: 'archives', describe: 'archived candidates under refs/git-parallel/', run: pruneArchives },
  { flag: 'runs', describe: 'damaged runs and worktrees whose run is gone', run: pruneRuns },
];

export async function prune(args: PruneArgs, io: Omit<PruneIo, 'now'>): Promise<void> {
  const chosen = MODES.filter((mode) => args[mode.flag] === true);
  if (chosen.length === 0) {
    throw new UsageError(`say what to prune: ${MODES.map((m) => `--${m.flag} (${m.describe})`).join(', ')}`);
  }
  if (args.olderThan !== undefined && !args.archives)
    throw new UsageError('--older-than goes with --archives');
  const results: Record<string, unknown> = {};
  for (const mode of chosen) results[mode.flag] = await mode.run(args, { ...io, now: new Date() });
  io.reporter.document({ dryRun: args.dryRun, ...results });
}

/**
 * Damaged runs (a run.json that cannot be read) and orphans (worktrees marked by a run whose state folder
 * is gone) are rebuilt from git's marks and removed like `rm` does, unless a worktree holds uncommitted
 * or untracked work or a branch holds commits no other branch, tag or archive has (then --force).
 * Finally git's own bookkeeping of worktrees deleted by hand is pruned.
 */
async function pruneRuns(args: PruneArgs, io: PruneIo): Promise<object[]> {
  const repo = await readRepo(io.cwd);
  const damaged = (await listManifests(repo.commonDir)).filter((r) => r.manifest === null).map((r) => r.task);
  const known = new Set((await listManifests(repo.commonDir)).map((r) => r.task));
  const orphans = [...new Set((await findMarkedWorktrees(repo.commonDir)).map((m) => m.task))].filter(
    (t) => !known.has(t),
  );
  const results: object[] = [];
  for (const task of [...damaged, ...orphans]) {
    const manifest = await recoverManifest(repo, task);
    const risks = await recoveredWorkAtRisk(manifest);
    const why = damaged.includes(task) ? 'damaged run' : 'worktrees of a removed run';
    if (risks.length > 0 && !args.force) {
      io.reporter.warn(`kept ${task} (${why}): ${risks.join('; ')}; commit or merge it, or use --force`);
      results.push({ task, why, removed: false, risks });
      continue;
    }
    if (args.dryRun) {
      io.reporter.print(
        `would remove ${task} (${why}): ${manifest.candidates.map((c) => c.name).join(', ') || 'its state'}`,
      );
      results.push({ task, why, removed: false, risks });
      continue;
    }
    const leftovers = await removeRunResources(
      manifest,
      runDir(repo.commonDir, task),
      await recoveredDriver(manifest, io.env),
      { keepBranches: false, env: io.env },
    );
    if (leftovers.length > 0)
      throw new CommandFailure(`could not remove all of ${task}: ${leftovers.join('; ')}`);
    io.reporter.info(`Removed ${task} (${why}): ${manifest.candidates.length} worktrees.`);
    results.push({ task, why, removed: true, risks });
  }
  const checkouts = await pruneOrphanedCheckouts(repo, args, io);
  results.push(...checkouts);
  if (!args.dryRun) await pruneWorktrees(repo.mainRoot);
  if (damaged.length + orphans.length + checkouts.length === 0)
    io.reporter.info('No damaged runs or orphaned worktrees.');
  return results;
}

/**
 * Issue 10 F7: checkout folders that git no longer knows (their admin folder in `.git/worktrees` is gone,
 * e.g. removed while the checkout was still being written). Looked for where runs put their worktrees;
 * removed when every file in them is content the repository already has, otherwise kept (then --force).
 * Under the state lock, so a worktree being registered right now is never mistaken for one.
 */
async function pruneOrphanedCheckouts(repo: RepoFacts, args: PruneArgs, io: PruneIo): Promise<object[]> {
  const folders = [path.resolve(repo.mainRoot, '..', `${repo.name}-worktrees`)];
  for (const read of await listManifests(repo.commonDir))
    for (const c of read.manifest?.candidates ?? []) folders.push(path.dirname(c.worktree));
  for (const mark of await findMarkedWorktrees(repo.commonDir)) folders.push(path.dirname(mark.worktree));
  return withStateLock(repo.commonDir, async () => {
    const results: object[] = [];
    for (const folder of await findOrphanedCheckouts(repo.commonDir, folders)) {
      const why = 'a checkout git no longer knows';
      const known = await holdsOnlyKnownContent(repo.commonDir, folder);
      if (!known && !args.force) {
        io.reporter.warn(`kept ${folder} (${why}): it holds files the repository does not have; use --force`);
        results.push({ folder, why, removed: false, risks: ['files the repository does not have'] });
        continue;
      }
      if (args.dryRun) {
        io.reporter.print(`would remove ${folder} (${why})`);
        results.push({ folder, why, removed: false, risks: [] });
        continue;
      }
      await deleteOrphanedCheckout({ commonDir: repo.commonDir, mainRoot: repo.mainRoot }, folder);
      await rmdir(path.dirname(folder)).catch(() => {});
      io.reporter.info(`Removed ${folder} (${why}).`);
      results.push({
        folder,
        why,
        removed: true,
        risks: known ? [] : ['files the repository does not have'],
      });
    }
    return results;
  });
}

async function pruneArchives(args: PruneArgs, io: PruneIo): Promise<object[]> {
  const olderThanMs = args.olderThan === undefined ? null : parseDuration(args.olderThan);
  const repo = await readRepo(io.cwd);
  const dropped = await dropArchives(repo.mainRoot, { olderThanMs, now: io.now, dryRun: args.dryRun });
  if (!io.reporter.json) reportDropped(dropped, args, io);
  return dropped.map((a) => ({
    ref: a.ref,
    task: a.task,
    n: a.n,
    commit: a.commit,
    archivedAt: a.archivedAt.toISOString(),
  }));
}

function reportDropped(dropped: ArchiveEntry[], args: PruneArgs, io: PruneIo): void {
  const limit = args.olderThan ? ` older than ${args.olderThan}` : '';
  if (dropped.length === 0) {
    io.reporter.info(`No archives${limit} to drop.`);
    return;
  }
  const rows = dropped.map((a) => [a.ref, a.commit.slice(0, 10), `${formatAge(a.archivedAt, io.now)} ago`]);
  for (const line of formatTable(['ARCHIVE', 'COMMIT', 'ARCHIVED'], rows)) io.reporter.print(line);
  io.reporter.info(
    args.dryRun
      ? `Would drop ${dropped.length} archive${dropped.length === 1 ? '' : 's'}${limit}.`
      : `Dropped ${dropped.length} archive${dropped.length === 1 ? '' : 's'}${limit}; their commits stay recoverable by id until git's garbage collection.`,
  );
}
