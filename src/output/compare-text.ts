import { describeCheck } from '../core/compare-checks.js';
import type { FileChange } from '../core/compare-files.js';
import { changeNotes } from '../core/compare-files.js';
import { type CandidateReport, type CompareReport, uncommittedText } from '../core/compare-report.js';
import { pairOf, percent } from '../core/compare-stats.js';
import { quotePath } from '../core/quote-path.js';
import { reviewCell } from '../core/review-verdict.js';
import { costLines } from './cost-text.js';
import { formatTable, type Reporter } from './reporter.js';
import { reviewSummaryLines } from './review-text.js';

/**
 * `compare` for people: the table, warnings, the base-moved note, each candidate's files, the ranking
 * rule, the overlap and the similarity matrix, and the next commands. Every file name goes through
 * quotePath, so no name can reach the terminal raw.
 */
export function printReport(report: CompareReport, reporter: Reporter): void {
  const base = `${report.base.ref ?? '(detached HEAD)'} @ ${report.base.commit.slice(0, 10)}`;
  const sandboxed = report.sandboxed ? ' (sandboxed run)' : '';
  reporter.print(`${report.task}: ${report.candidates.length} candidates against ${base}${sandboxed}`);
  if (report.baseMoved) {
    const now = report.baseMoved.commit ? `is at ${report.baseMoved.commit.slice(0, 10)}` : 'is gone';
    reporter.warn(
      `the base branch ${report.baseMoved.ref} moved since the run started (it ${now}); each candidate's own work is counted from its merge base with it`,
    );
  }
  reporter.print('');
  const paint = reporter.styleOut;
  const ranked = [...report.candidates].sort((a, b) => a.rank - b.rank);
  const rows = ranked.map((c) => [
    String(c.rank),
    String(c.n),
    c.name,
    c.agent,
    paint(c.state === 'done' ? 'green' : c.state.startsWith('failed') ? 'red' : null, c.state),
    c.commits === null ? '-' : String(c.commits),
    c.filesChanged === null
      ? '-'
      : c.binaryFiles > 0
        ? `${c.filesChanged} (${c.binaryFiles} bin)`
        : String(c.filesChanged),
    c.added === null ? '-' : `+${c.added} -${c.deleted}`,
    uncommittedText(c),
    c.check
      ? `${paint(c.check.passed ? 'green' : 'red', describeCheck(c.check))}${c.check.current ? '' : ' (stale)'}`
      : '-',
    ...(report.review ? [reviewCell(report.review, c.n)] : []),
    c.check ? c.check.logFile : '',
  ]);
  // RANK and N apart: commands (diff, pick) take the candidate number N, never the rank.
  const header = [
    'RANK',
    'N',
    'CANDIDATE',
    'AGENT',
    'STATE',
    'COMMITS',
    'FILES',
    '+/-',
    'UNCOMMITTED',
    'CHECK',
    ...(report.review ? ['REVIEW'] : []),
    'LOG',
  ];
  for (const line of formatTable(header, rows)) reporter.print(line);
  for (const c of report.candidates) {
    for (const warning of c.warnings) reporter.warn(`${c.name}: ${quotePath(warning)}`);
  }
  if (report.baseMoved) {
    reporter.print('');
    reporter.print(
      `Own work is counted from each candidate's merge base with ${report.baseMoved.ref} as it is now. Merges cleanly into it now:`,
    );
    for (const c of ranked) reporter.print(`  ${c.name}: ${mergeText(c)}`);
  }
  reporter.print('');
  reporter.print(report.ranking.text);
  if (report.review) for (const line of reviewSummaryLines(report.review)) reporter.print(line);
  if (report.candidates.some((c) => c.check && !c.check.current)) {
    reporter.print('(stale: the worktree changed since that check ran; it counts as not run.)');
  }

  const cost = costLines(ranked);
  if (cost.length > 0) reporter.print('');
  for (const line of cost) reporter.print(line);
  reporter.print('');
  reporter.print('Files (A added, M modified, D deleted, R renamed, C copied, T type changed)');
  for (const c of ranked) {
    reporter.print(`  ${c.name}:${c.files.length === 0 ? ' none' : ''}`);
    for (const line of fileLines(c.files)) reporter.print(`    ${line}`);
  }

  const names = new Map(report.candidates.map((c) => [c.n, c.name]));
  reporter.print('');
  reporter.print('Overlap');
  if (report.candidates.length >= 2) {
    reporter.print(
      `  touched by all ${report.candidates.length}: ${fileSummary(report.overlap.touchedByAll)}`,
    );
  }
  for (const only of report.overlap.touchedByOne) {
    reporter.print(`  only ${names.get(only.n)}: ${fileSummary(only.files)}`);
  }
  if (report.candidates.length >= 2) {
    reporter.print('');
    reporter.print(
      'Similarity (Jaccard, shared ÷ all: changed files · changes, each line at its place in the file, each mode and binary content; 100% · 100% is the same change)',
    );
    const matrix = report.candidates.map((row) => [
      row.name,
      ...report.candidates.map((col) => {
        const pair = pairOf(report.overlap.pairs, row.n, col.n);
        return pair ? `${percent(pair.fileSimilarity)} · ${percent(pair.lineSimilarity)}` : '-';
      }),
    ]);
    for (const line of formatTable(['', ...report.candidates.map((c) => c.name)], matrix))
      reporter.print(`  ${line}`);
  }
  const best = ranked[0];
  if (best) {
    reporter.print('');
    reporter.print(`See a change: git parallel diff ${report.task} ${best.n}`);
    reporter.print(`Keep one:     git parallel pick ${report.task} ${best.n}`);
  }
  if (report.check === null) {
    reporter.print(`Run a check:  git parallel compare ${report.task} --check "npm test"`);
  }
}

/** One line per changed file (at most `limit`): status, name (old → new for a rename), lines, notes. */
export function fileLines(files: FileChange[], limit = 40): string[] {
  const lines = files.slice(0, limit).map((f) => {
    const name = f.oldPath === null ? quotePath(f.path) : `${quotePath(f.oldPath)} → ${quotePath(f.path)}`;
    const counts = f.binary ? 'binary' : `+${f.added} -${f.deleted}`;
    const notes = changeNotes(f).filter(
      (note) => !/^(renamed|copied) from /.test(note) && !note.startsWith('binary'),
    );
    const similarity = f.similarity === null ? '' : ` (${f.similarity}%)`;
    const sizes = f.binary ? ` ${binarySizes(f)}` : '';
    return `${f.status} ${name}${similarity}  ${counts}${sizes}${notes.length > 0 ? `  ${notes.join('; ')}` : ''}`;
  });
  if (files.length > limit) lines.push(`… and ${files.length - limit} more`);
  return lines;
}

function binarySizes(f: FileChange): string {
  const size = (bytes: number | null) => (bytes === null ? '–' : String(bytes));
  return `${size(f.oldSize)} → ${size(f.newSize)} bytes`;
}

export function mergeText(c: CandidateReport): string {
  const from = c.countedFrom ? ` (counted from ${c.countedFrom.slice(0, 10)})` : '';
  if (c.mergesIntoBase === null) return `not known${from}`;
  if (c.mergesIntoBase.clean) return `yes${from}`;
  const conflicts = c.mergesIntoBase.conflicts;
  return `no, conflicts in ${fileSummary(conflicts)}${from}`;
}

function fileSummary(files: string[], limit = 6): string {
  if (files.length === 0) return 'none';
  const shown = files.slice(0, limit).map(quotePath).join(', ');
  return files.length > limit ? `${shown} and ${files.length - limit} more` : shown;
}
