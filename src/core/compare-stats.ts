import type { CandidateCost } from './agent-usage.js';
import type { CompareReview } from './review-verdict.js';
/**
 * The statistics behind `git parallel compare`, as pure functions of the candidates' diffs: per-file
 * numbers, which files every candidate touched and which only one did, how similar two candidates are,
 * and the ranking. No I/O; the numbers come from `git diff-tree -M -C --raw --numstat -z` and
 * `git diff-tree -M -C -p` (renames and copies detected, as git diff does by default).
 */

import type { FileChange } from './compare-files.js';

export type { FileChange } from './compare-files.js';

/** Totals of a candidate's change. */
export interface ChangeTotals {
  files: number;
  added: number;
  deleted: number;
  binaryFiles: number;
}

export function totalsOf(changes: FileChange[]): ChangeTotals {
  return {
    files: changes.length,
    added: changes.reduce((sum, c) => sum + c.added, 0),
    deleted: changes.reduce((sum, c) => sum + c.deleted, 0),
    binaryFiles: changes.filter((c) => c.binary).length,
  };
}

/**
 * A binary file has no lines, so counting it as 0 would rank a candidate that added a 5 MB blob above
 * one that changed a line. For the ranking a binary counts one line per BINARY_BYTES_PER_LINE bytes of
 * its larger version (about a line of source code), and at least one.
 */
export const BINARY_BYTES_PER_LINE = 64;

/** Added + deleted lines, each binary file counted by its size (see BINARY_BYTES_PER_LINE). */
export function rankedLines(changes: FileChange[]): number {
  return changes.reduce((sum, c) => {
    if (!c.binary) return sum + c.added + c.deleted;
    const bytes = Math.max(c.oldSize ?? 0, c.newSize ?? 0);
    return sum + Math.max(1, Math.ceil(bytes / BINARY_BYTES_PER_LINE));
  }, 0);
}

/**
 * The changes of a patch as a multiset, so that two candidates are 100% alike only when their changes
 * are identical: the same lines at the same place, the same modes, the same binary content.
 *   - an added or removed line: key `<file header>\n@<old line>\n<+ or -><line text>`, where `<old line>`
 *     is the line of the base file the change sits at (an insertion at line 2 and the same insertion at
 *     line 19 are different changes);
 *   - a file's extended header lines (`index <old>..<new>`, `old mode`/`new mode`, `new file mode`,
 *     `deleted file mode`, `Binary files … differ`): key `<file header>\n<line>`. The `index` line names
 *     the blobs, so two binaries with different bytes differ, and so does a mode change (`chmod +x`).
 * The `diff --git …` line names the file (both names for a rename or copy): the same text for the same
 * change of the same path in every candidate's patch, quoting included. Context lines, hunk headers and "\ No newline at end of file"
 * markers are not changes and are left out.
 */
export function changedLines(patch: string): Map<string, number> {
  const lines = new Map<string, number>();
  const count = (key: string) => lines.set(key, (lines.get(key) ?? 0) + 1);
  let file: string | null = null;
  let inHunk = false;
  let oldLine = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      file = line;
      inHunk = false;
    } else if (line.startsWith('@@')) {
      inHunk = file !== null;
      oldLine = Number(/^@@ -(\d+)/.exec(line)?.[1] ?? 0);
    } else if (inHunk) {
      if (line.startsWith('-')) count(`${file}\n@${oldLine++}\n${line}`);
      else if (line.startsWith('+')) count(`${file}\n@${oldLine}\n${line}`);
      else if (line.startsWith(' ')) oldLine++;
    } else if (file !== null && line !== '' && !line.startsWith('--- ') && !line.startsWith('+++ ')) {
      count(`${file}\n${line}`);
    }
  }
  return lines;
}

/**
 * Jaccard similarity of two sets: |A ∩ B| / |A ∪ B|, from 0 (nothing in common) to 1 (the same). Two
 * empty sets are the same (1): two candidates that changed nothing agree.
 */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Jaccard similarity of two multisets: Σ min(countA, countB) / Σ max(countA, countB) over every key.
 * A line added twice by one candidate and once by the other counts once as shared and once as different.
 */
export function multisetJaccard(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let shared = 0;
  let all = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const countA = a.get(key) ?? 0;
    const countB = b.get(key) ?? 0;
    shared += Math.min(countA, countB);
    all += Math.max(countA, countB);
  }
  return all === 0 ? 1 : shared / all;
}

/** What the overlap and similarity need to know about one candidate. */
export interface CandidateChange {
  n: number;
  files: ReadonlySet<string>;
  lines: ReadonlyMap<string, number>;
}

/** How two candidates relate: shared changed files and both similarities (0..1). */
export interface PairSimilarity {
  a: number;
  b: number;
  sharedFiles: number;
  /**
   * Jaccard over the two sets of changed paths. Named for what it is: elsewhere in --json `files` is a
   * list of paths (issue 11: the same names for the same facts).
   */
  fileSimilarity: number;
  /** Multiset Jaccard over the changed lines (`file` + `+line` / `-line`), see changedLines. */
  lineSimilarity: number;
}

export interface Overlap {
  /** Paths every candidate changed (empty with fewer than two candidates). */
  touchedByAll: string[];
  /** Per candidate, in candidate order: the paths no other candidate changed. */
  touchedByOne: { n: number; files: string[] }[];
  /** Every unordered pair, a < b. */
  pairs: PairSimilarity[];
}

/** The overlap of the candidates' changes, and how far apart each pair's solutions are. */
export function overlapOf(candidates: CandidateChange[]): Overlap {
  const sorted = [...candidates].sort((x, y) => x.n - y.n);
  const counts = new Map<string, number>();
  for (const c of sorted) for (const file of c.files) counts.set(file, (counts.get(file) ?? 0) + 1);
  const touchedByAll =
    sorted.length < 2
      ? []
      : [...counts]
          .filter(([, count]) => count === sorted.length)
          .map(([file]) => file)
          .sort();
  const touchedByOne = sorted.map((c) => ({
    n: c.n,
    files: [...c.files].filter((f) => counts.get(f) === 1).sort(),
  }));
  const pairs: PairSimilarity[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      let sharedFiles = 0;
      for (const file of a.files) if (b.files.has(file)) sharedFiles++;
      pairs.push({
        a: a.n,
        b: b.n,
        sharedFiles,
        fileSimilarity: jaccard(a.files, b.files),
        lineSimilarity: multisetJaccard(a.lines, b.lines),
      });
    }
  }
  return { touchedByAll, touchedByOne, pairs };
}

/** The similarity of candidates a and b from a pair list, in either order; null for a candidate with itself. */
export function pairOf(pairs: PairSimilarity[], a: number, b: number): PairSimilarity | null {
  if (a === b) return null;
  const [low, high] = a < b ? [a, b] : [b, a];
  return pairs.find((p) => p.a === low && p.b === high) ?? null;
}

/** How a candidate's check ended, as far as the ranking cares. `stale` results count as not run. */
export type CheckVerdict = 'passed' | 'failed' | 'not run';

export interface RankInput {
  n: number;
  check: CheckVerdict;
  /** Added + deleted lines, binary files counted by size (rankedLines). */
  changedLines: number;
  files: number;
  /** Compare has a warning about it (it could not be read): never ranked as a good candidate. */
  warned: boolean;
}

/** One step of the ranking: candidates are ordered by `value` (smaller first), ties go to the next key. */
export interface RankingKey {
  id: string;
  /** How the key reads in the printed rule. */
  text: string;
  value: (candidate: RankInput) => number;
}

const CHECK_ORDER: Record<CheckVerdict, number> = { passed: 0, 'not run': 1, failed: 2 };

/**
 * The ranking rule, as data so it is printed exactly as applied. A candidate that changed nothing is
 * last whatever its check says (a passing test suite on the unchanged base proves nothing about the
 * task); among the rest, passing checks come first, then the smaller change, which is easier to review
 * and usually the one that did only what was asked.
 */
export const RANKING_RULE: RankingKey[] = [
  {
    id: 'no-warnings',
    text: 'candidates without a warning before those with one',
    value: (c) => (c.warned ? 1 : 0),
  },
  {
    id: 'has-changes',
    text: 'candidates that changed something before those that did not',
    value: (c) => (c.files > 0 ? 0 : 1),
  },
  { id: 'check', text: 'check passed, then not run, then failed', value: (c) => CHECK_ORDER[c.check] },
  {
    id: 'changed-lines',
    text: `fewer changed lines (added + deleted; a binary file counts one line per ${BINARY_BYTES_PER_LINE} bytes)`,
    value: (c) => c.changedLines,
  },
  { id: 'files', text: 'fewer changed files', value: (c) => c.files },
  { id: 'number', text: 'lower candidate number', value: (c) => c.n },
];

/** The candidates' numbers, best first, by `rule`. */
export function rankCandidates(candidates: RankInput[], rule: RankingKey[] = RANKING_RULE): number[] {
  return [...candidates]
    .sort((x, y) => {
      for (const key of rule) {
        const difference = key.value(x) - key.value(y);
        if (difference !== 0) return difference;
      }
      return 0;
    })
    .map((c) => c.n);
}

/** "Ranked by: 1) …; 2) …": the rule as a person reads it. */
export function rankingRuleText(rule: RankingKey[] = RANKING_RULE): string {
  return `Ranked by: ${rule.map((key, i) => `${i + 1}) ${key.text}`).join('; ')}.`;
}

/** "67%": a similarity for people. Rounded down, so only identical changes show 100%. */
export function percent(value: number): string {
  return `${Math.floor(value * 100)}%`;
}

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

/** A check result as the report shows it. */
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

const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * A path as git prints it to a terminal: a name with control characters, a double quote or a backslash
 * is put in double quotes with C escapes (`"new\nline.txt"`, `"\033]0;title\007"` as octal), so a
 * file name can neither split a line nor send escape sequences to the terminal. Unlike git's default
 * (core.quotePath) letters beyond ASCII are left as they are: they are safe to print and readable.
 */
export function quotePath(name: string): string {
  if (!/[\x00-\x1f\x7f"\\]/.test(name)) return name;
  let quoted = '';
  for (const char of name) {
    const code = char.codePointAt(0)!;
    quoted +=
      C_ESCAPES[char] ?? (code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, '0')}` : char);
  }
  return `"${quoted}"`;
}
