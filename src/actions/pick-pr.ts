import { readFile } from 'node:fs/promises';
import { type FileChange, parseRawNumstatZ } from '../core/compare-files.js';
import { type CandidateSummary, pullRequestBody, pullRequestTitle } from '../core/pull-request.js';
import { candidateNumbered } from '../core/run-candidates.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { candidateTree } from '../io/candidate-changes.js';
import { readChecks } from '../io/checks.js';
import { pathExists } from '../io/files.js';
import { createPullRequest, requireGh, requireGhLogin } from '../io/gh.js';
import { branchExists, commitsBetween, configValue, pushBranch, readRepo, remoteNames } from '../io/git.js';
import { commitAllWork } from '../io/git-merge.js';
import { gitProblem } from '../io/git-risks.js';
import { diffFiles, readWorktreeChanges } from '../io/snapshot.js';
import { requireManifest } from '../io/state.js';
import { readStoredReview } from '../io/stored-review.js';
import type { Reporter } from '../output/reporter.js';

export interface PickPullRequestArgs {
  task: string;
  n: number;
  /** The pull request's base branch instead of the run's base branch. */
  onto?: string;
  draft: boolean;
  dryRun: boolean;
}

/**
 * Issue 16: `git parallel pick <task> <n> --pr [--draft]` pushes candidate n's branch and opens a pull
 * request with `gh pr create` against the run's base branch. Every precondition (gh installed and logged
 * in, a remote, something to pick) is checked before anything changes.
 *
 * Unlike a local pick, nothing is merged here and the run is kept: the pull request is where the change
 * is reviewed, and review comments are answered in the candidate's worktree, with its agent still at
 * hand. `git parallel rm <task>` cleans up once the pull request is merged.
 */
export async function pickAsPullRequest(
  args: PickPullRequestArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const { reporter, env } = io;
  const repo = await readRepo(io.cwd);
  const { manifest, dir } = await requireManifest(repo.commonDir, args.task);
  const candidate = candidateNumbered(manifest, args.n);
  const main = manifest.repo.root;
  const base = args.onto ?? manifest.base.ref;
  if (base === null) {
    throw new UsageError(
      `${args.task} started from a detached HEAD; name the pull request's base branch with --onto <branch>`,
    );
  }
  if (!(await branchExists(main, candidate.branch))) {
    throw new UsageError(`the branch ${candidate.branch} of ${candidate.name} is gone; nothing to open`);
  }
  const gh = await requireGh(main, env);
  await requireGhLogin(gh, main, env);
  const remote = await pushRemote(main, base);

  const dirty = await hasUncommittedWork(candidate);
  const ahead = await commitsBetween(main, manifest.base.commit, `refs/heads/${candidate.branch}`);
  if (ahead === 0 && !dirty) {
    throw new UsageError(`${candidate.name} has no commits and no changes since the base; nothing to open`);
  }

  const prompt = manifest.promptFile ? await readFile(manifest.promptFile, 'utf8').catch(() => null) : null;
  const title = pullRequestTitle(manifest, prompt);
  const steps = [
    ...(dirty ? [`commit the uncommitted work of ${candidate.name} on ${candidate.branch}`] : []),
    `push ${candidate.branch} to ${remote}`,
    `open a ${args.draft ? 'draft ' : ''}pull request of ${candidate.branch} into ${base}: ${title}`,
  ];
  if (args.dryRun) {
    reporter.document({ dryRun: true, steps });
    if (reporter.json) return;
    reporter.print(`Would open a pull request for ${candidate.name}:`);
    for (const step of steps) reporter.print(`  ${step}`);
    return;
  }

  if (dirty) {
    // Only preserves what the agent left (as a local pick does): no commit hooks.
    await commitAllWork(
      candidate.worktree,
      `git-parallel: uncommitted work of ${candidate.name} at pick`,
      env,
    );
    reporter.info(`Committed the uncommitted work of ${candidate.name} on ${candidate.branch}.`);
  }
  const body = pullRequestBody({
    manifest,
    winner: candidate.n,
    summaries: await summarise(manifest, dir),
    checkCommand: (await readChecks(dir))?.command ?? null,
    review: await readStoredReview(dir),
  });
  await pushBranch(main, remote, candidate.branch, env);
  reporter.info(`Pushed ${candidate.branch} to ${remote}.`);
  const url = await createPullRequest(
    gh,
    { head: candidate.branch, base, title, body, draft: args.draft },
    main,
    env,
  );
  reporter.info(
    `Opened ${url || 'the pull request'}; the run is kept (git parallel rm ${args.task} once it is merged).`,
  );
  reporter.document({
    pullRequest: url,
    picked: candidate.name,
    branch: candidate.branch,
    remote,
    base,
    draft: args.draft,
    committedUncommittedWork: dirty,
    closes: manifest.issue?.number ?? null,
  });
}

/**
 * The remote to push to: the base branch's own remote (`branch.<base>.remote`), else `origin`, else the
 * only remote there is. Several remotes and no hint is refused rather than guessed.
 */
async function pushRemote(main: string, base: string): Promise<string> {
  const remotes = await remoteNames(main);
  if (remotes.length === 0) {
    throw new UsageError(
      'the repository has no remote to push to; add one with git remote add origin <url>, then pick again',
    );
  }
  const configured = await configValue(main, `branch.${base}.remote`);
  if (configured && remotes.includes(configured)) return configured;
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0]!;
  throw new UsageError(
    `the repository has several remotes (${remotes.join(', ')}) and ${base} tracks none; set one with git branch --set-upstream-to <remote>/${base} ${base}`,
  );
}

/**
 * Whether the candidate's worktree holds work to commit before the push. A worktree that is gone holds
 * none (the branch is what is pushed); one that git cannot read might hold some, so it is refused, as a
 * local pick refuses it, rather than pushed without that work.
 */
async function hasUncommittedWork(candidate: Candidate): Promise<boolean> {
  if (!(await pathExists(candidate.worktree))) return false;
  const changes = await readWorktreeChanges(candidate.worktree).catch((error: unknown) => {
    throw new UsageError(
      `cannot open a pull request of ${candidate.name}: git cannot read its worktree ${candidate.worktree} (${gitProblem(error)}), so its uncommitted work is unknown; repair it (git status there says what is wrong) and run this again`,
    );
  });
  return changes.changed + changes.untracked > 0;
}

/** Every candidate's files and lines against the base, and its recorded check, for the body's table. */
async function summarise(manifest: RunManifest, dir: string): Promise<CandidateSummary[]> {
  const checks = await readChecks(dir);
  return Promise.all(
    manifest.candidates.map(async (c): Promise<CandidateSummary> => {
      const tree = await candidateTree(manifest, c).catch(() => null);
      const files: FileChange[] = tree
        ? parseRawNumstatZ(await diffFiles(manifest.repo.root, manifest.base.commit, tree))
        : [];
      const check = checks?.results[String(c.n)];
      return {
        n: c.n,
        agent: c.agent,
        files: files.length,
        added: files.reduce((sum, f) => sum + f.added, 0),
        deleted: files.reduce((sum, f) => sum + f.deleted, 0),
        check: check
          ? check.passed
            ? 'passed'
            : check.timedOut
              ? 'timed out'
              : `failed (exit ${check.exitCode ?? check.signal})`
          : null,
      };
    }),
  );
}
