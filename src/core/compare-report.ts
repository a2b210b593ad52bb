import type { FileChange } from './compare-files.js';
import { touchedPaths } from './compare-files.js';
import {
  type CandidateReport,
  type CheckOutcome,
  type CheckReport,
  type CheckVerdict,
  type CompareReport,
  changedLines,
  isCurrentCheck,
  overlapOf,
  RANKING_RULE,
  type RecordedCheck,
  rankCandidates,
  rankedLines,
  rankingRuleText,
  totalsOf,
} from './compare-stats.js';
import type { Candidate, RunManifest } from './types.js';

/**
 * The compare report as a pure function of what was gathered about each candidate and of the check
 * results to show: numbers, overlap, similarity and the ranking by its printed rule.
 */
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
