import type { FileChange } from './compare-files.js';

/**
 * The ranking of compare's candidates, as data so that it is printed exactly as applied, and the line
 * count it ranks by.
 */

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
