import path from 'node:path';
import { describeCommand } from '../core/command-text.js';
import { parseRawNumstatZ } from '../core/compare-files.js';
import { describePick, type PickStrategy, planPick } from '../core/pick-plan.js';
import { describeIgnored, planRemoval } from '../core/removal-plan.js';
import { candidateNumbered } from '../core/run-candidates.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { stopAgents } from '../io/agent-stop.js';
import { ARCHIVE_NAMESPACE, type ArchiveResult } from '../io/archive.js';
import { driverFor } from '../io/drivers.js';
import { pathExists } from '../io/files.js';
import {
  branchExists,
  commitsBetween,
  currentBranch,
  type GitResult,
  gitFailure,
  headCommit,
  listWorktrees,
  readRepo,
} from '../io/git.js';
import {
  commitAllWork,
  commitStaged,
  conflictedPaths,
  fastForward,
  mergeWithCommit,
  rebaseOnto,
  squashMerge,
} from '../io/git-merge.js';
import { trackedChanges, uncommittedChanges } from '../io/git-risks.js';
import { diffFiles, readWorktreeChanges, snapshotTree } from '../io/snapshot.js';
import { usableRun } from '../io/state.js';
import { readSettledRun } from '../io/unfinished-checkout.js';
import type { Reporter } from '../output/reporter.js';
import { gatherRemovalFacts, removeRun, withIgnoredListed } from './apply-removal.js';
import { assertArchivable } from './work-at-risk.js';

export type { PickStrategy };

export interface PickArgs {
  task: string;
  n: number;
  strategy: PickStrategy;
  message?: string;
  keep: boolean;
  /** The branch to bring the candidate into, instead of the run's base branch. */
  onto?: string;
  dryRun: boolean;
}

/**
 * `git parallel pick <task> <n>`: brings candidate n into the base branch, in the main worktree.
 *
 * 1. Checks first, changing nothing when any fails: the main worktree must be on the target branch (the
 *    run's base branch, or `--onto`) and have no uncommitted changes to tracked files; the candidate
 *    must hold something to pick.
 * 2. Uncommitted and untracked work in the candidate's worktree is committed on its branch, with a
 *    message that says so.
 * 3. `--merge` (default): `git merge --no-ff`, always a merge commit, so the pick stays visible in
 *    history even when a fast-forward would have been possible. `--squash`: one new commit on the
 *    target branch. `--rebase`: the candidate branch is rebased onto the target in the candidate's own
 *    worktree, then the target is fast-forwarded to it: linear history, the agent's commits kept.
 * 4. A conflict stops everything with git's own instructions; the run is kept.
 * 5. Unless `--keep`: every candidate's final state is archived under refs/git-parallel/<task>/<n>,
 *    then the run is removed (session, worktrees, branches, ports, state). Because the other candidates
 *    are archived, their unmerged commits are not lost, so pick needs no --force.
 *
 * The steps are planned once the checks pass (core/pick-plan.ts, with the removal's own plan):
 * --dry-run prints that plan, and the pick follows it.
 */
export async function pick(
  args: PickArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const { reporter } = io;
  const repo = await readRepo(io.cwd);
  // Pick claims the run as rm does (waiting for a creation in progress, or for another removal), so an rm
  // of the same run at once waits instead of removing the worktrees under this pick, which then archived
  // nothing and said nothing was lost (issue 10 F9). With --keep too: the merge reads the worktree.
  const { manifest, dir } = usableRun(
    await readSettledRun(repo.commonDir, args.task, (line) => reporter.info(line)),
    args.task,
  );
  const candidate = candidateNumbered(manifest, args.n);
  if (args.message !== undefined && args.strategy === 'rebase') {
    throw new UsageError(
      '--message names a merge or squash commit; --rebase makes none (the agent’s commits are kept as they are)',
    );
  }
  const main = manifest.repo.root;
  const { target, into } = await checkTargetWorktree(manifest, args);
  if (!(await branchExists(main, candidate.branch))) {
    throw new UsageError(`the branch ${candidate.branch} of ${candidate.name} is gone; nothing to pick`);
  }
  const worktreeExists = await pathExists(candidate.worktree);
  if (args.strategy === 'rebase' && !worktreeExists) {
    throw new UsageError(
      `--rebase works in ${candidate.name}'s worktree, which is gone; use --merge or --squash`,
    );
  }
  // Every candidate is archived afterwards: one whose worktree git cannot read is refused now (issue 10 F3).
  if (!args.keep) await assertArchivable(manifest);

  const readChanges = async () => {
    const changes = worktreeExists
      ? await readWorktreeChanges(candidate.worktree)
      : { changed: 0, untracked: 0 };
    return changes.changed + changes.untracked > 0;
  };
  let dirty = await readChanges();
  const ahead = await commitsBetween(main, `refs/heads/${target}`, `refs/heads/${candidate.branch}`);
  if (ahead === 0 && !dirty) {
    throw new UsageError(
      `${candidate.name} has no commits and no changes that ${target} does not already have; nothing to pick`,
    );
  }

  await assertNothingUntrackedInTheWay(into, target, candidate, worktreeExists);

  // Read before anything changes: a damaged resources.json stops the pick here (DamagedRecord).
  const removal = args.keep
    ? null
    : await gatherRemovalFacts(manifest, dir, { keepBranches: false, ignored: args.dryRun, risks: false });
  const plan = planPick({
    candidate,
    target,
    into,
    mainRoot: main,
    strategy: args.strategy,
    dirty,
    removal:
      removal &&
      planRemoval(removal, { keepBranches: false, archiveUnder: `${ARCHIVE_NAMESPACE}${manifest.task}/` }),
  });
  if (args.dryRun) {
    const steps = describePick(plan, manifest.candidates);
    reporter.document({ dryRun: true, steps, plan });
    if (reporter.json) return;
    reporter.print(`Would pick ${candidate.name} into ${target}:`);
    for (const step of steps) reporter.print(`  ${step}`);
    return;
  }

  // Unless --keep, the run ends: its agents are ended and waited for first (issue 10 F4), so none is
  // still writing while its work is committed, merged and archived, and what they write as they stop
  // is picked or archived too. (A Zellij --tab run lives in the user's own session, which is never
  // ended; its agents are hung up one by one.)
  const driver = await driverFor(manifest.mux.kind, io.env, main);
  if (plan.endAgents) {
    const stop = await stopAgents(manifest, dir, driver, io.env);
    if (stop.survivors.length > 0) {
      throw new CommandFailure(
        `could not stop the agents of ${stop.survivors.map((n) => `${args.task}-${n}`).join(', ')}; nothing was picked (end them, then pick again)`,
      );
    }
    dirty = await readChanges();
  }

  if (dirty) {
    await commitAllWork(
      candidate.worktree,
      `git-parallel: uncommitted work of ${candidate.name} at pick`,
      io.env,
    );
    reporter.info(`Committed the uncommitted work of ${candidate.name} on ${candidate.branch}.`);
  }

  await bringIn(args, plan.into, candidate, plan.target, reporter, io.env);
  const head = await headCommit(plan.into);
  reporter.info(
    `Picked ${candidate.name} into ${target} (${describeStrategy(args.strategy)}, now at ${head.slice(0, 10)}).`,
  );

  let archives: ArchiveResult[] = [];
  let ignored: Record<string, string[]> = {};
  if (plan.removal && removal) {
    const done = await removeRun(plan.removal, await withIgnoredListed(removal), dir, driver, io.env);
    ({ archives, ignoredDeleted: ignored } = done);
    if (done.leftovers.length > 0) {
      throw new CommandFailure(
        `picked ${candidate.name}, but could not remove all of ${args.task}: ${done.leftovers.join('; ')}`,
      );
    }
    reporter.info(
      `Archived ${archives.length} candidate${archives.length === 1 ? '' : 's'} under ${plan.removal.archiveUnder} ` +
        `(restore one with: git branch <name> ${plan.removal.archiveUnder}<n>); the others' commits are kept there, so nothing is lost.`,
    );
    reporter.info(`Removed the run ${args.task}.`);
    const described = describeIgnored(ignored);
    if (described) reporter.info(`Deleted the ignored files the candidates made themselves: ${described}.`);
  }
  reporter.document({
    picked: candidate.name,
    into: target,
    strategy: args.strategy,
    head,
    committedUncommittedWork: dirty,
    archives: archives.map((a) => ({ ref: a.ref, commit: a.commit, snapshot: a.snapshot })),
    removed: plan.removal !== null,
    ignoredDeleted: ignored,
  });
}

/**
 * The target branch and the worktree it is checked out in, after checking that worktree is clean; throws
 * (exit 2) otherwise. That is the main worktree, or a linked worktree of the user's when the run was
 * started from one (its branch cannot be switched to in the main worktree: git refuses a branch checked
 * out elsewhere), so pick merges where the branch is, as `git merge` run there would (issue 10 F9).
 */
async function checkTargetWorktree(
  manifest: RunManifest,
  args: PickArgs,
): Promise<{ target: string; into: string }> {
  const main = manifest.repo.root;
  const target = args.onto ?? manifest.base.ref;
  if (target === null) {
    throw new UsageError(
      `${args.task} started from a detached HEAD (${manifest.base.commit.slice(0, 10)}); say where to pick into with --onto <branch>`,
    );
  }
  if (!(await branchExists(main, target))) throw new UsageError(`there is no branch ${target} to pick into`);
  const candidates = new Set(manifest.candidates.map((c) => path.resolve(c.worktree)));
  const holder = (await listWorktrees(main)).find(
    (w) => w.branch === target && !candidates.has(path.resolve(w.path)),
  );
  const into = holder?.path ?? main;
  if (holder === undefined) {
    const current = await currentBranch(main);
    const where = current === null ? 'a detached HEAD' : current;
    const alternative = current === null ? '' : `, or pick into ${current} with --onto ${current}`;
    throw new UsageError(
      `the main worktree ${main} is on ${where}, not ${target}; switch with git switch ${target}${alternative}`,
    );
  }
  const dirty = await trackedChanges(into);
  if (dirty.length > 0) {
    const which = into === main ? 'the main worktree' : `the worktree of ${target}`;
    throw new UsageError(
      `${which} ${into} has uncommitted changes (${dirty.length} path${dirty.length === 1 ? '' : 's'}); commit or stash them, then pick again`,
    );
  }
  return { target, into };
}

/**
 * Untracked files in `into` at paths the candidate's change creates: git's merge (and fast-forward)
 * refuses to overwrite them, but only after pick has committed the candidate's work, and says no more
 * than "Merge with strategy ort failed". So pick refuses first, naming them, with nothing changed
 * (issue 10 F9). Ignored files are left out: git overwrites those, as it treats them as disposable.
 */
async function assertNothingUntrackedInTheWay(
  into: string,
  target: string,
  candidate: Candidate,
  worktreeExists: boolean,
): Promise<void> {
  const tree = worktreeExists ? await snapshotTree(candidate.worktree) : `refs/heads/${candidate.branch}`;
  const created = new Set(
    parseRawNumstatZ(await diffFiles(into, `refs/heads/${target}`, tree))
      .filter((file) => file.status === 'A' || file.status === 'R' || file.status === 'C')
      .map((file) => file.path),
  );
  const inTheWay = (await uncommittedChanges(into))
    .filter((entry) => entry.code === '??' && created.has(entry.path))
    .map((entry) => entry.path);
  if (inTheWay.length === 0) return;
  const shown =
    inTheWay.slice(0, 5).join(', ') + (inTheWay.length > 5 ? `, and ${inTheWay.length - 5} more` : '');
  throw new UsageError(
    `${into} has untracked files that ${candidate.name} adds, which a merge would overwrite: ${shown}; move them away or commit them, then pick again`,
  );
}

/** Brings the candidate's work into `target`, checked out in the worktree `main`. */
async function bringIn(
  args: PickArgs,
  main: string,
  candidate: Candidate,
  target: string,
  reporter: Reporter,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (args.strategy === 'merge') {
    const message =
      args.message ?? `Merge branch '${candidate.branch}' (${candidate.agent}, picked by git parallel)`;
    const result = await mergeWithCommit(main, candidate.branch, message, env);
    await stopOnConflict(result, main, args, candidate, reporter, 'git commit', 'git merge --abort');
    return;
  }
  if (args.strategy === 'squash') {
    const result = await squashMerge(main, candidate.branch, env);
    await stopOnConflict(result, main, args, candidate, reporter, 'git commit', 'git reset --merge');
    const committed = await commitStaged(main, args.message, env);
    if (committed.exitCode !== 0) throw gitFailure(committed);
    return;
  }
  const rebased = await rebaseOnto(candidate.worktree, target, env);
  await stopOnConflict(
    rebased,
    candidate.worktree,
    args,
    candidate,
    reporter,
    'git rebase --continue',
    'git rebase --abort',
  );
  const forwarded = await fastForward(main, candidate.branch, env);
  if (forwarded.exitCode !== 0) throw gitFailure(forwarded);
}

/**
 * A failed merge/rebase: on a conflict, git's own output and instructions are shown, the conflict is left
 * for the user to resolve where it happened, and the run is kept. Any other failure is an ordinary one.
 */
async function stopOnConflict(
  result: GitResult,
  where: string,
  args: PickArgs,
  candidate: Candidate,
  reporter: Reporter,
  resolve: string,
  abort: string,
): Promise<void> {
  if (result.exitCode === 0) return;
  const conflicted = await conflictedPaths(where);
  if (conflicted.length === 0) throw gitFailure(result);
  for (const line of `${result.stdout}\n${result.stderr}`.trim().split('\n'))
    if (line.trim()) reporter.info(line);
  const after =
    args.strategy === 'rebase'
      ? `then run ${describeCommand(['git', 'parallel', 'pick', args.task, String(args.n), '--rebase'])} again`
      : `then git parallel rm ${args.task} --archive cleans up the run`;
  reporter.info(`Resolve the conflicts in ${where}, then ${resolve} (or ${abort} to give up); ${after}.`);
  throw new CommandFailure(
    `picking ${candidate.name} stopped on a conflict in ${conflicted.join(', ')}; the run is kept`,
  );
}

function describeStrategy(strategy: PickStrategy): string {
  return strategy === 'merge'
    ? 'merge commit'
    : strategy === 'squash'
      ? 'one squashed commit'
      : 'rebased and fast-forwarded';
}
