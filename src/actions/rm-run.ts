import {
  describeIgnored,
  describeRemoval,
  planRemoval,
  type RemovalFacts,
  type RemovalPlan,
} from '../core/removal-plan.js';
import type { RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { stopAgents } from '../io/agent-stop.js';
import { ARCHIVE_NAMESPACE } from '../io/archive.js';
import { driverFor } from '../io/drivers.js';
import { readRepo } from '../io/git.js';
import type { MuxDriver } from '../io/mux.js';
import { recoveredDriver, recoverManifest } from '../io/recovery.js';
import type { ManifestRead } from '../io/state.js';
import {
  clearKilledRegistrations,
  readSettledRun,
  withoutUnfinishedCheckouts,
} from '../io/unfinished-checkout.js';
import type { Reporter } from '../output/reporter.js';
import { gatherRemovalFacts, removeRun, withIgnoredListed } from './apply-removal.js';
import { assertArchivable, assertNothingLost } from './work-at-risk.js';

export interface RmArgs {
  tasks: string[];
  force: boolean;
  keepBranches: boolean;
  /** Archive every candidate first (refs/git-parallel/<task>/<n>): nothing is lost, so nothing is refused. */
  archive?: boolean;
  dryRun: boolean;
}

/**
 * `git parallel rm <task>…`: ends the session and removes worktrees, branches and state. Refuses when a
 * worktree holds uncommitted or untracked work, a branch holds commits the base does not contain, or a
 * detached HEAD or reflog holds commits no other ref keeps, unless --force. Every run is checked before
 * any is touched, so a refusal changes nothing.
 *
 * Then the agents are ended and waited for (io/agent-stop.ts), and the check is made again: what an
 * agent wrote as it stopped is refused like any other work (issue 10 F4). Ignored files are deleted with
 * the worktrees, as `git worktree remove` does; those the candidate made itself are named.
 *
 * Each run's removal is planned before anything is touched (core/removal-plan.ts): --dry-run prints
 * the plans, and removeRun carries them out.
 */
export async function rmRuns(
  args: RmArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const repo = await readRepo(io.cwd);
  const reads: ManifestRead[] = [];
  for (const task of args.tasks) {
    const read = await readSettledRun(repo.commonDir, task, (line) => io.reporter.info(line));
    if (!read) throw new UsageError(`no run named ${JSON.stringify(task)}; see git parallel list`);
    if (read.problem !== null && !args.force) {
      throw new UsageError(
        `the run ${task} is damaged (${read.problem}); git parallel rm ${task} --force removes it, or git parallel prune --runs removes it only if no work would be lost`,
      );
    }
    if (read.manifest) await clearKilledRegistrations(repo.commonDir, read.manifest);
    reads.push(read);
  }
  const check = async (stopped: boolean) => {
    for (const read of reads) {
      if (!read.manifest) continue;
      if (args.archive) await assertArchivable(read.manifest);
      else
        await assertNothingLost(await withoutUnfinishedCheckouts(read.manifest), {
          keepBranches: args.keepBranches,
          force: args.force,
          stopped,
        });
    }
  };
  await check(false);

  // Every run is planned before any is touched: a damaged resources.json stops here (DamagedRecord).
  const runs: {
    read: ManifestRead;
    manifest: RunManifest;
    driver: MuxDriver;
    facts: RemovalFacts;
    plan: RemovalPlan;
  }[] = [];
  for (const read of reads) {
    // run.json is damaged: what the run created is found from git's own facts (the worktree marks).
    const manifest = read.manifest ?? (await recoverManifest(repo, read.task));
    const driver = read.manifest
      ? await driverFor(manifest.mux.kind, io.env)
      : await recoveredDriver(manifest, io.env);
    const facts = await gatherRemovalFacts(manifest, read.dir, {
      keepBranches: args.keepBranches,
      ignored: args.dryRun,
      // Without --force, work at risk was refused above; a recovered run has no base to measure it by.
      risks: args.force && read.manifest !== null && !args.archive,
    });
    const archiveUnder = args.archive && read.manifest ? `${ARCHIVE_NAMESPACE}${read.task}/` : null;
    const plan = planRemoval(facts, { keepBranches: args.keepBranches, archiveUnder });
    runs.push({ read, manifest, driver, facts, plan });
  }

  if (args.dryRun) {
    for (const { manifest, plan } of runs) {
      io.reporter.print(`would remove ${plan.task}:`);
      for (const step of describeRemoval(plan, manifest.candidates)) io.reporter.print(`  ${step}`);
    }
    io.reporter.document({ removed: [], dryRun: true, plans: runs.map((run) => run.plan) });
    return;
  }

  // End every run's agents and wait for them, then look again, before anything is deleted.
  for (const { read, manifest, driver } of runs) {
    const stop = await stopAgents(manifest, read.dir, driver, io.env);
    if (stop.survivors.length > 0 && !args.force) {
      throw new CommandFailure(
        `could not stop the agents of ${stop.survivors.map((n) => `${read.task}-${n}`).join(', ')}; nothing was removed (end them yourself, or use --force)`,
      );
    }
  }
  await check(true);

  const removed: string[] = [];
  const ignoredDeleted: Record<string, string[]> = {};
  for (const { read, manifest, driver, facts, plan } of runs) {
    const done = await removeRun(plan, await withIgnoredListed(facts), read.dir, driver, io.env);
    if (done.archives.length > 0)
      io.reporter.info(
        `Archived ${done.archives.map((a) => a.ref).join(', ')} (restore one: git branch <name> <ref>).`,
      );
    if (done.leftovers.length > 0)
      throw new CommandFailure(`could not remove all of ${read.task}: ${done.leftovers.join('; ')}`);
    const ignored = done.ignoredDeleted;
    removed.push(read.task);
    Object.assign(ignoredDeleted, ignored);
    if (!read.manifest) {
      io.reporter.info(
        `Removed the damaged run ${read.task}: ${manifest.candidates.length} worktrees found by their marks.`,
      );
    } else {
      const kept = plan.keptBranches.length > 0 ? ` (kept branches ${plan.keptBranches.join(', ')})` : '';
      io.reporter.info(`Removed ${read.task}: ${manifest.candidates.length} worktrees${kept}.`);
    }
    const described = describeIgnored(ignored);
    if (described)
      io.reporter.info(`Deleted the ignored files the candidates made themselves: ${described}.`);
  }
  io.reporter.document({ removed, dryRun: false, ignoredDeleted });
}
