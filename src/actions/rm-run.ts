import { CommandFailure, UsageError } from '../errors.js';
import { archiveRun } from '../io/archive.js';
import { driverFor } from '../io/drivers.js';
import { readRepo } from '../io/git.js';
import { recoveredDriver, recoverManifest } from '../io/recovery.js';
import { readSettledRun, withoutUnfinishedCheckouts } from '../io/unfinished-checkout.js';
import type { Reporter } from '../output/reporter.js';
import { assertNothingLost, removeRunResources, workAtRisk } from './remove-run.js';

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
 * worktree holds uncommitted or untracked work or a branch holds commits the base does not contain,
 * unless --force. Every run is checked before any is touched, so a refusal changes nothing.
 */
export async function rmRuns(
  args: RmArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const repo = await readRepo(io.cwd);
  const reads = [];
  for (const task of args.tasks) {
    const read = await readSettledRun(repo.commonDir, task, (line) => io.reporter.info(line));
    if (!read) throw new UsageError(`no run named ${JSON.stringify(task)}; see git parallel list`);
    if (read.problem !== null && !args.force) {
      throw new UsageError(
        `the run ${task} is damaged (${read.problem}); git parallel rm ${task} --force removes it, or git parallel prune --runs removes it only if no work would be lost`,
      );
    }
    reads.push(read);
  }
  for (const read of reads) {
    if (read.manifest && !args.archive)
      await assertNothingLost(await withoutUnfinishedCheckouts(read.manifest), {
        keepBranches: args.keepBranches,
        force: args.force,
      });
  }

  const removed: string[] = [];
  for (const read of reads) {
    if (args.dryRun && args.archive && read.manifest) {
      const names = read.manifest.candidates.map((c) => c.name).join(', ');
      io.reporter.print(`would archive ${names} under refs/git-parallel/${read.task}/, then remove it`);
      continue;
    }
    if (args.dryRun) {
      const risks = read.manifest ? await workAtRisk(read.manifest, { keepBranches: args.keepBranches }) : [];
      io.reporter.print(`would remove ${read.task}${risks.length ? ` (losing: ${risks.join('; ')})` : ''}`);
      continue;
    }
    if (!read.manifest) {
      // run.json is damaged: what the run created is found from git's own facts (the worktree marks).
      const recovered = await recoverManifest(repo, read.task);
      const leftovers = await removeRunResources(
        recovered,
        read.dir,
        await recoveredDriver(recovered, io.env),
        {
          keepBranches: args.keepBranches,
        },
      );
      if (leftovers.length > 0)
        throw new CommandFailure(`could not remove all of ${read.task}: ${leftovers.join('; ')}`);
      io.reporter.info(
        `Removed the damaged run ${read.task}: ${recovered.candidates.length} worktrees found by their marks.`,
      );
      removed.push(read.task);
      continue;
    }
    const driver = await driverFor(read.manifest.mux.kind, io.env);
    if (args.archive) {
      // Stop the agents first, so nothing changes in a worktree between its archive and its removal.
      const { session, tab } = read.manifest.mux;
      if (session && !tab) await driver.killSession(session);
      const archives = await archiveRun(read.manifest);
      const refs = archives.map((a) => a.ref).join(', ');
      if (archives.length > 0) io.reporter.info(`Archived ${refs} (restore one: git branch <name> <ref>).`);
    }
    const leftovers = await removeRunResources(read.manifest, read.dir, driver, {
      keepBranches: args.keepBranches,
    });
    if (leftovers.length > 0)
      throw new CommandFailure(`could not remove all of ${read.task}: ${leftovers.join('; ')}`);
    removed.push(read.task);
    const kept = args.keepBranches
      ? ` (kept branches ${read.manifest.candidates.map((c) => c.branch).join(', ')})`
      : '';
    io.reporter.info(`Removed ${read.task}: ${read.manifest.candidates.length} worktrees${kept}.`);
  }
  io.reporter.document({ removed, dryRun: args.dryRun });
}
