import { formatStepDuration } from './durations.js';

/**
 * The project's check as compare records and shows it: what a result holds, when a recorded one is still
 * current (the same command on the same content), and how it reads in a few words. Running checks is
 * io/checks.ts.
 */

/** A recorded check result is current when it ran the same command on the same content. */
export interface RecordedCheck {
  command: string;
  /** The snapshot tree before the check ran, and after it (the same unless the check wrote files). */
  tree: string;
  treeAfter: string | null;
  /**
   * A digest of the worktree's ignored files (`.env`, build output, node_modules…) before and after the
   * check: a check depends on them though no snapshot holds them. Absent in results recorded before it
   * was kept, which then count as not current.
   */
  ignored?: string;
  ignoredAfter?: string | null;
}

/** What a check result must match to be current: the content, and the ignored files when known. */
export interface CheckedContent {
  n: number;
  tree: string | null;
  /** The digest of the ignored files; undefined when not read (then only the tree counts). */
  ignored?: string;
}

/**
 * Which candidates need their check run: all of them with --rerun; otherwise those with no recorded
 * result for this command, or whose worktree content or ignored files changed since (a result describes
 * one tree). A check that itself writes files (build output) leaves `treeAfter` / `ignoredAfter` as the
 * content, so it does not re-run every time for that reason alone.
 */
export function candidatesToCheck(
  candidates: CheckedContent[],
  recorded: ReadonlyMap<number, RecordedCheck>,
  command: string,
  rerun: boolean,
): number[] {
  return candidates
    .filter((c) => c.tree !== null)
    .filter((c) => rerun || !isCurrentCheck(recorded.get(c.n), command, c.tree!, c.ignored))
    .map((c) => c.n);
}

export function isCurrentCheck(
  result: RecordedCheck | undefined,
  command: string,
  tree: string,
  ignored?: string,
): boolean {
  if (result === undefined || result.command !== command) return false;
  if (result.tree !== tree && result.treeAfter !== tree) return false;
  return ignored === undefined || result.ignored === ignored || result.ignoredAfter === ignored;
}

/** How one check ended: what checks.json records and compare reports. */
export interface CheckOutcome {
  command: string;
  passed: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  logFile: string;
}

export interface CheckReport extends CheckOutcome {
  /** False when the worktree changed since the check ran (the result describes older content). */
  current: boolean;
  /** True when this compare ran it; false when it was recorded by an earlier one. */
  ranNow: boolean;
}

/** "pass · 3.2s", "FAIL exit 1 · 0.4s", "timed out · 900s": a check result in a few words. */
export function describeCheck(
  result: Pick<CheckOutcome, 'passed' | 'exitCode' | 'signal' | 'timedOut' | 'durationMs'>,
): string {
  const duration = formatStepDuration(result.durationMs);
  if (result.timedOut) return `timed out · ${duration}`;
  if (result.passed) return `pass · ${duration}`;
  if (result.exitCode === null) return `FAIL ${result.signal ?? 'killed'} · ${duration}`;
  return `FAIL exit ${result.exitCode} · ${duration}`;
}
