import { describe, expect, it } from 'vitest';
import type { FileChange } from '../../src/core/compare-files.js';
import { splitPatch } from '../../src/core/compare-files.js';
import { DiffBudget, renderCandidateDiffs } from '../../src/output/html-diffs.js';

const section = (name: string, lines: number) =>
  [
    `diff --git a/${name} b/${name}`,
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    `+++ b/${name}`,
    `@@ -0,0 +1,${lines} @@`,
    ...Array.from({ length: lines }, (_, i) => `+${name} ${i}`),
    '',
  ].join('\n');

const change = (path: string, added: number): FileChange => ({
  path,
  oldPath: null,
  status: 'A',
  similarity: null,
  added,
  deleted: 0,
  binary: false,
  oldMode: '000000',
  newMode: '100644',
  oldBlob: '0'.repeat(40),
  newBlob: '1'.repeat(40),
  oldSize: null,
  newSize: null,
  lineEndingsOnly: false,
  whitespaceOnly: false,
});

describe('renderCandidateDiffs', () => {
  const patch = section('a.txt', 5) + section('b.txt', 5);
  const input = {
    n: 1,
    diffCommand: 'git parallel diff t 1 --',
    files: [change('a.txt', 5), change('b.txt', 5)],
    patch,
    patchIgnoringWhitespace: null,
  };

  it('splits a patch per file', () => {
    expect(splitPatch(patch).map((s) => s.split('\n')[0])).toEqual([
      'diff --git a/a.txt b/a.txt',
      'diff --git a/b.txt b/b.txt',
    ]);
  });

  it('cuts the files past the budget, each with the command that shows it, and counts them', () => {
    // Room for the first file's diff (its page section is a little larger than its diff), not both.
    const first = renderCandidateDiffs(
      { ...input, files: [change('a.txt', 5)], patch: section('a.txt', 5) },
      new DiffBudget(),
    );
    const budget = new DiffBudget(first.length);
    const html = renderCandidateDiffs(input, budget);
    expect(budget.cutFiles).toBe(1);
    expect(html).toContain('a.txt 4');
    expect(html).not.toContain('b.txt 4');
    expect(html).toContain('cut to keep the report small; see <code>git parallel diff t 1 -- b.txt</code>');
  });
});
