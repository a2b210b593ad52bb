import type { CandidateCost } from './agent-usage.js';
import { type CheckOutcome, type CheckReport, isCurrentCheck, type RecordedCheck } from './compare-checks.js';
import type { FileChange } from './compare-files.js';
import { touchedPaths } from './compare-files.js';
import {
  type CheckVerdict,
  RANKING_RULE,
  rankCandidates,
  rankedLines,
  rankingRuleText,
} from './compare-ranking.js';
import { changedLines, type Overlap, overlapOf, totalsOf } from './compare-stats.js';
import type { CompareReview } from './review-verdict.js';
import type { Candidate, RunManifest } from './types.js';

/** What compare learns about one candidate before any check runs. */
export interface Gathered {
  candidate: Candidate;
  worktreeMissing: boolean;
  tree: string | null;
  commits: number | null;
  files: FileChange[];
  patch: string;
  /** The same patch with whitespace ignored (`diff-tree -w`): the HTML's ignoring-whitespace view. */
  patchIgnoringWhitespace: string;
  uncommitted: { changed: number; untracked: number } | null;
  state: string;
  agentRunning: boolean;
  /** The commit its own work is counted from (null when it could not be read). */
  countedFrom: string | null;
  /** A trial merge into the base branch as it is now, when that moved; null otherwise. */
  merge: { clean: boolean; conflicts: string[] } | null;
  /** What is wrong with it: unreadable, gone, on another branch, mid-merge… (see candidateWarnings). */
  warnings: string[];
  /** The digest of its worktree's ignored files (ignoredFilesDigest); undefined without a worktree. */
  ignored?: string;
}

/** One candidate in the comparison: what `--json` prints and the HTML report shows. */
export interface CandidateReport {
  n: number;
  name: string;
  branch: string;
  worktree: string;
  agent: string;
  /** running, done, failed (<code>), killed (<signal>), stopped, not started. */
  state: string;
  worktreeMissing: boolean;
  /** The snapshot tree of the worktree as it is (or the branch's tree when the worktree is gone). */
  tree: string | null;
  /** Commits on the branch since the base; null when the branch is gone. */
  commits: number | null;
  /** Null when there is nothing to compare (its worktree and its branch are gone, or it is unreadable). */
  filesChanged: number | null;
  added: number | null;
  deleted: number | null;
  binaryFiles: number;
  files: FileChange[];
  /** Uncommitted work in the worktree; null when the worktree is gone. */
  uncommitted: { changed: number; untracked: number } | null;
  check: CheckReport | null;
  /**
   * The commit its own work is counted from: the merge base of its HEAD and the base branch as it is
   * now (the run's base unless the base moved and it was rebased, or it was reset behind); null when it
   * could not be read.
   */
  countedFrom: string | null;
  /** When the base branch moved: whether the candidate merges cleanly into it now (a trial merge). */
  mergesIntoBase: { clean: boolean; conflicts: string[] } | null;
  /** What is wrong with this candidate, in words (empty when nothing is). */
  warnings: string[];
  /** 1 is best, by RANKING_RULE. */
  rank: number;
  /** Issue 16: tokens from the agent's own files (null: unknown) and its wall time. */
  cost?: CandidateCost;
}

export interface CompareReport {
  task: string;
  base: { commit: string; ref: string | null };
  /** Where the base branch points now, when it moved since the run started (null when it did not). */
  baseMoved: { ref: string; commit: string | null } | null;
  /** Issue 17: the run's agents (and so their changes) were made in a sandbox. */
  sandboxed?: boolean;
  generatedAt: string;
  check: { command: string; source: string; timeoutSeconds: number } | null;
  ranking: { rule: string[]; text: string; order: number[] };
  /** Sorted by candidate number. */
  candidates: CandidateReport[];
  overlap: Overlap;
  /** The stored verdict of `review`, un-blinded; null when the run was not reviewed. */
  review?: CompareReview | null;
}

/**
 * The compare report as a pure function of what was gathered about each candidate and of the check
 * results to show: numbers, overlap, similarity and the ranking by its printed rule.
 */
export function buildCompareReport(
  manifest: RunManifest,
  gathered: Gathered[],
  checks: ReadonlyMap<number, { result: RecordedCheck & CheckOutcome; ranNow: boolean }>,
  check: { command: string; source: string } | null,
  timeoutSeconds: number,
): CompareReport {
  const changes = gathered.map((g) => ({ g, files: g.files }));
  const overlap = overlapOf(
    changes.map(({ g, files }) => ({
      n: g.candidate.n,
      files: new Set(files.flatMap(touchedPaths)),
      lines: changedLines(g.patch),
    })),
  );
  const reports: CandidateReport[] = changes.map(({ g, files }) => {
    const totals = totalsOf(files);
    const shown = checks.get(g.candidate.n);
    const checkReport: CheckReport | null = shown
      ? {
          command: shown.result.command,
          passed: shown.result.passed,
          exitCode: shown.result.exitCode,
          signal: shown.result.signal,
          timedOut: shown.result.timedOut,
          startedAt: shown.result.startedAt,
          finishedAt: shown.result.finishedAt,
          durationMs: shown.result.durationMs,
          logFile: shown.result.logFile,
          current: g.tree !== null && isCurrentCheck(shown.result, shown.result.command, g.tree, g.ignored),
          ranNow: shown.ranNow,
        }
      : null;
    return {
      n: g.candidate.n,
      name: g.candidate.name,
      branch: g.candidate.branch,
      worktree: g.candidate.worktree,
      agent: g.candidate.agent,
      state: g.state,
      worktreeMissing: g.worktreeMissing,
      tree: g.tree,
      commits: g.commits,
      // Nothing to compare is not "changed nothing": no numbers at all.
      filesChanged: g.tree === null ? null : totals.files,
      added: g.tree === null ? null : totals.added,
      deleted: g.tree === null ? null : totals.deleted,
      binaryFiles: totals.binaryFiles,
      files,
      uncommitted: g.uncommitted,
      check: checkReport,
      countedFrom: g.countedFrom,
      mergesIntoBase: g.merge,
      warnings: g.warnings,
      rank: 0,
    };
  });
  const verdict = (c: CandidateReport): CheckVerdict =>
    !c.check?.current ? 'not run' : c.check.passed ? 'passed' : 'failed';
  const order = rankCandidates(
    reports.map((c) => ({
      n: c.n,
      check: verdict(c),
      changedLines: rankedLines(c.files),
      files: c.filesChanged ?? 0,
      warned: c.warnings.length > 0,
    })),
  );
  for (const c of reports) c.rank = order.indexOf(c.n) + 1;
  return {
    task: manifest.task,
    base: manifest.base,
    baseMoved: null,
    generatedAt: new Date().toISOString(),
    check: check ? { command: check.command, source: check.source, timeoutSeconds } : null,
    ranking: { rule: RANKING_RULE.map((key) => key.text), text: rankingRuleText(), order },
    candidates: reports.sort((a, b) => a.n - b.n),
    overlap,
  };
}

/**
 * "2 changed, 1 untracked", "no", "no worktree" when the worktree is gone (as compare's warning says), or
 * "unknown" when it is there but git could not read it (its warning says why). The text table and the
 * HTML page say the same.
 */
export function uncommittedText(c: Pick<CandidateReport, 'uncommitted' | 'worktreeMissing'>): string {
  if (c.uncommitted === null) return c.worktreeMissing ? 'no worktree' : 'unknown';
  const { changed, untracked } = c.uncommitted;
  if (changed === 0 && untracked === 0) return 'no';
  return [changed > 0 ? `${changed} changed` : '', untracked > 0 ? `${untracked} untracked` : '']
    .filter(Boolean)
    .join(', ');
}
