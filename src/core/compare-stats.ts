/**
 * The statistics behind `git parallel compare`, as pure functions of the candidates' diffs: per-file
 * numbers, which files every candidate touched and which only one did, and how similar two candidates
 * are. No I/O; the numbers come from `git diff-tree -M -C --raw --numstat -z` and
 * `git diff-tree -M -C -p` (renames and copies detected, as git diff does by default).
 */

import type { FileChange } from './compare-files.js';

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

/** "67%": a similarity for people. Rounded down, so only identical changes show 100%. */
export function percent(value: number): string {
  return `${Math.floor(value * 100)}%`;
}
