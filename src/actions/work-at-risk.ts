import type { RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { ARCHIVE_NAMESPACE } from '../io/archive.js';
import { pathExists } from '../io/files.js';
import { localBranches } from '../io/git.js';
import { commitsNotIn, gitProblem, uncommittedChanges, worktreeRisks } from '../io/git-risks.js';

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
