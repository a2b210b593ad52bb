import { describe, expect, it } from 'vitest';
import { alignVersions, parseFilePatch } from '../../src/core/file-columns.js';

describe('parseFilePatch', () => {
  it('keys removals and insertions by base line, "-n,0" inserting after line n', () => {
    const parsed = parseFilePatch(
      ['@@ -3,0 +4,1 @@', '+after three', '@@ -7,2 +8,1 @@', '-seven', ' eight', '+tail'].join('\n'),
    );
    expect([...parsed.removed]).toEqual([7]);
    expect(Object.fromEntries(parsed.inserts)).toEqual({ 4: ['after three'], 9: ['tail'] });
  });
});

describe('alignVersions', () => {
  it('puts every candidate on the same base rows, with gaps for far unchanged stretches', () => {
    const base = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const rows = alignVersions(base, ['@@ -0,0 +1 @@\n+top', '@@ -8 +8 @@\n-h\n+H'], 1);
    expect(rows).toEqual([
      {
        baseLine: null,
        cells: [
          { kind: 'added', text: 'top' },
          { kind: 'empty', text: '' },
        ],
      },
      {
        baseLine: 1,
        cells: [
          { kind: 'kept', text: 'a' },
          { kind: 'kept', text: 'a' },
        ],
      },
      {
        baseLine: 2,
        cells: [
          { kind: 'kept', text: 'b' },
          { kind: 'kept', text: 'b' },
        ],
      },
      { gap: 4 },
      {
        baseLine: 7,
        cells: [
          { kind: 'kept', text: 'g' },
          { kind: 'kept', text: 'g' },
        ],
      },
      {
        baseLine: 8,
        cells: [
          { kind: 'kept', text: 'h' },
          { kind: 'removed', text: 'h' },
        ],
      },
      {
        baseLine: null,
        cells: [
          { kind: 'empty', text: '' },
          { kind: 'added', text: 'H' },
        ],
      },
    ]);
  });
});
