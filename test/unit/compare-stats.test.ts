import { describe, expect, it } from 'vitest';
import { candidatesToCheck, type RecordedCheck } from '../../src/core/compare-checks.js';
import type { FileChange } from '../../src/core/compare-files.js';
import {
  RANKING_RULE,
  type RankInput,
  rankCandidates,
  rankedLines,
  rankingRuleText,
} from '../../src/core/compare-ranking.js';
import {
  type CandidateChange,
  changedLines,
  jaccard,
  multisetJaccard,
  overlapOf,
  percent,
} from '../../src/core/compare-stats.js';
import { quotePath } from '../../src/core/quote-path.js';

const PATCH = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,3 +1,3 @@
 keep
-old
+new
+new
 keep
\\ No newline at end of file
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..3333333
Binary files /dev/null and b/logo.png differ
diff --git a/b.txt b/b.txt
deleted file mode 100644
--- a/b.txt
+++ /dev/null
@@ -1 +0,0 @@
---- a line that starts with dashes
`;

describe('changedLines', () => {
  it('keys each added or removed line by its file and base line, and each extended header line, counting repeats; skips ---/+++ and context', () => {
    expect(Object.fromEntries(changedLines(PATCH))).toEqual({
      'diff --git a/src/a.ts b/src/a.ts\nindex 1111111..2222222 100644': 1,
      'diff --git a/src/a.ts b/src/a.ts\n@2\n-old': 1,
      'diff --git a/src/a.ts b/src/a.ts\n@3\n+new': 2,
      'diff --git a/logo.png b/logo.png\nnew file mode 100644': 1,
      'diff --git a/logo.png b/logo.png\nindex 0000000..3333333': 1,
      'diff --git a/logo.png b/logo.png\nBinary files /dev/null and b/logo.png differ': 1,
      'diff --git a/b.txt b/b.txt\ndeleted file mode 100644': 1,
      'diff --git a/b.txt b/b.txt\n@1\n---- a line that starts with dashes': 1,
    });
  });

  it('is empty for an empty patch', () => {
    expect(changedLines('').size).toBe(0);
  });
});

describe('jaccard', () => {
  it.each([
    [[], [], 1],
    [['a'], [], 0],
    [['a', 'b'], ['a', 'b'], 1],
    [['a', 'b'], ['b', 'c'], 1 / 3],
    [['a', 'b', 'c', 'd'], ['a', 'b'], 0.5],
  ])('%j vs %j = %d', (a, b, expected) => {
    expect(jaccard(new Set(a), new Set(b))).toBeCloseTo(expected);
    expect(jaccard(new Set(b), new Set(a))).toBeCloseTo(expected);
  });
});

describe('multisetJaccard', () => {
  it.each([
    [{}, {}, 1],
    [{ x: 1 }, {}, 0],
    [{ x: 2 }, { x: 1 }, 0.5],
    [{ x: 1, y: 1 }, { x: 1, z: 1 }, 1 / 3],
    [{ x: 3, y: 1 }, { x: 3, y: 1 }, 1],
  ])('%j vs %j = %d', (a, b, expected) => {
    const map = (o: Record<string, number>) => new Map(Object.entries(o));
    expect(multisetJaccard(map(a), map(b))).toBeCloseTo(expected);
    expect(multisetJaccard(map(b), map(a))).toBeCloseTo(expected);
  });
});

describe('overlapOf', () => {
  const candidate = (n: number, files: string[], lines: Record<string, number> = {}): CandidateChange => ({
    n,
    files: new Set(files),
    lines: new Map(Object.entries(lines)),
  });

  it('finds the files every candidate touched, the files only one touched, and every pair', () => {
    const overlap = overlapOf([
      candidate(3, ['app.ts', 'c.ts'], { 'app +x': 1 }),
      candidate(1, ['app.ts', 'a.ts', 'shared.ts'], { 'app +x': 1, 'a +y': 1 }),
      candidate(2, ['app.ts', 'shared.ts'], { 'app +x': 1 }),
    ]);
    expect(overlap.touchedByAll).toEqual(['app.ts']);
    expect(overlap.touchedByOne).toEqual([
      { n: 1, files: ['a.ts'] },
      { n: 2, files: [] },
      { n: 3, files: ['c.ts'] },
    ]);
    expect(overlap.pairs.map((p) => [p.a, p.b, p.sharedFiles])).toEqual([
      [1, 2, 2],
      [1, 3, 1],
      [2, 3, 1],
    ]);
    expect(overlap.pairs[0]!.fileSimilarity).toBeCloseTo(2 / 3);
    expect(overlap.pairs[0]!.lineSimilarity).toBeCloseTo(1 / 2);
    expect(overlap.pairs[2]!.lineSimilarity).toBe(1);
  });

  it.each([
    ['no candidates', [], [], 0],
    ['one candidate: nothing is touched by "all"', [candidate(1, ['a'])], [], 0],
    ['a candidate that changed nothing empties "all"', [candidate(1, ['a']), candidate(2, [])], [], 1],
  ])('%s', (_name, candidates, all, pairs) => {
    const overlap = overlapOf(candidates);
    expect(overlap.touchedByAll).toEqual(all);
    expect(overlap.pairs).toHaveLength(pairs);
  });
});

describe('rankCandidates', () => {
  const input = (n: number, check: RankInput['check'], changedLines: number, files = 1): RankInput => ({
    n,
    check,
    changedLines,
    files,
    warned: false,
  });

  it.each([
    [
      'passing checks first',
      [input(1, 'failed', 5), input(2, 'passed', 50), input(3, 'not run', 1)],
      [2, 3, 1],
    ],
    [
      'then the smaller change',
      [input(1, 'passed', 30), input(2, 'passed', 10), input(3, 'passed', 20)],
      [2, 3, 1],
    ],
    ['then fewer files', [input(1, 'passed', 10, 4), input(2, 'passed', 10, 2)], [2, 1]],
    ['then the lower number', [input(2, 'passed', 10), input(1, 'passed', 10)], [1, 2]],
    [
      'a candidate that changed nothing is last, even with a passing check',
      [input(1, 'passed', 0, 0), input(2, 'failed', 9)],
      [2, 1],
    ],
  ])('%s', (_name, candidates, expected) => {
    expect(rankCandidates(candidates)).toEqual(expected);
  });

  it('puts a candidate with a warning last, whatever else it has', () => {
    const warned = { ...input(1, 'passed', 1), warned: true };
    expect(rankCandidates([warned, input(2, 'failed', 0, 0)])).toEqual([2, 1]);
  });

  it('prints the rule it applies, in order', () => {
    const text = rankingRuleText();
    expect(text).toBe(
      'Ranked by: 1) candidates without a warning before those with one; 2) candidates that changed something before those that did not; ' +
        '3) check passed, then not run, then failed; 4) fewer changed lines (added + deleted; a binary file counts one line per 64 bytes); 5) fewer changed files; 6) lower candidate number.',
    );
    expect(RANKING_RULE.map((k) => k.id)).toEqual([
      'no-warnings',
      'has-changes',
      'check',
      'changed-lines',
      'files',
      'number',
    ]);
  });

  it('takes another rule as data', () => {
    const biggestFirst = [{ id: 'big', text: 'more lines', value: (c: RankInput) => -c.changedLines }];
    expect(rankCandidates([input(1, 'passed', 1), input(2, 'passed', 9)], biggestFirst)).toEqual([2, 1]);
  });
});

describe('rankedLines', () => {
  const file = (over: Partial<FileChange>): FileChange => ({
    path: 'f',
    oldPath: null,
    status: 'M',
    similarity: null,
    added: 0,
    deleted: 0,
    binary: false,
    oldMode: '100644',
    newMode: '100644',
    oldBlob: '0',
    newBlob: '0',
    oldSize: null,
    newSize: null,
    lineEndingsOnly: false,
    whitespaceOnly: false,
    ...over,
  });

  it('counts text lines, and a binary by its larger size (64 bytes a line), at least one', () => {
    expect(rankedLines([file({ added: 3, deleted: 2 })])).toBe(5);
    expect(rankedLines([file({ binary: true, oldSize: 10, newSize: 5_000_000 })])).toBe(78_125);
    expect(rankedLines([file({ binary: true, oldSize: 6400, newSize: null })])).toBe(100);
    expect(rankedLines([file({ binary: true })])).toBe(1);
  });
});

describe('candidatesToCheck', () => {
  const recorded = new Map<number, RecordedCheck>([
    [1, { command: 'npm test', tree: 't1', treeAfter: 't1' }],
    [2, { command: 'npm test', tree: 't2', treeAfter: 't2-built' }],
    [3, { command: 'npm test', tree: 'old', treeAfter: 'old' }],
  ]);
  const trees = (entries: [number, string | null][]) => entries.map(([n, tree]) => ({ n, tree }));

  it.each([
    ['a current result is kept', [[1, 't1']], 'npm test', false, []],
    ['a check that wrote files is current for the content it left', [[2, 't2-built']], 'npm test', false, []],
    ['changed content runs again', [[3, 'new']], 'npm test', false, [3]],
    ['no result runs', [[4, 't4']], 'npm test', false, [4]],
    [
      'another command runs everything',
      [
        [1, 't1'],
        [2, 't2'],
      ],
      'npm run lint',
      false,
      [1, 2],
    ],
    [
      '--rerun runs everything',
      [
        [1, 't1'],
        [2, 't2'],
      ],
      'npm test',
      true,
      [1, 2],
    ],
    ['a candidate without content is never checked', [[1, null]], 'npm test', true, []],
  ] as [
    string,
    [number, string | null][],
    string,
    boolean,
    number[],
  ][])('%s', (_name, candidates, command, rerun, expected) => {
    expect(candidatesToCheck(trees(candidates), recorded, command, rerun)).toEqual(expected);
  });
});

describe('percent', () => {
  it.each([
    [1, '100%'],
    [0.999, '99%'],
    [1 / 3, '33%'],
    [0, '0%'],
  ])('%d → %s', (value, text) => {
    expect(percent(value)).toBe(text);
  });
});

describe('quotePath', () => {
  it.each([
    ['plain.txt', 'plain.txt'],
    ['ünïcødé-文件.txt', 'ünïcødé-文件.txt'],
    ['new\nline.txt', '"new\\nline.txt"'],
    ['tab\there.txt', '"tab\\there.txt"'],
    ['back\\slash.txt', '"back\\\\slash.txt"'],
    ['quote"d.txt', '"quote\\"d.txt"'],
    ['\x1b]0;owned\x07\x1b[2J.txt', '"\\033]0;owned\\a\\033[2J.txt"'],
  ])('%j → %s', (name, expected) => {
    expect(quotePath(name)).toBe(expected);
  });
});
