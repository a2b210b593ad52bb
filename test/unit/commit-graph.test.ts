import { describe, expect, it } from 'vitest';
import { mergeBaseFromSymmetric, parseParentLines, reachableWithin } from '../../src/core/commit-graph.js';

describe('parseParentLines', () => {
  it.each([
    ['', {}],
    ['a\n', { a: [] }],
    ['c b\nb a\n', { c: ['b'], b: ['a'] }],
    ['m x y\n\n', { m: ['x', 'y'] }],
  ])('%j', (stdout, expected) => {
    expect(Object.fromEntries(parseParentLines(stdout))).toEqual(expected);
  });
});

describe('reachableWithin', () => {
  // base ← a ← b ← c (tip 1), b ← d (tip 2); m merges c and d; e's parent is the base itself.
  const graph = parseParentLines('c b\nb a\na base\nd b\nm c d\ne base\n');
  it.each([
    ['c', 3],
    ['d', 3],
    ['m', 5],
    ['e', 1],
    ['base', 0],
    ['unknown', 0],
  ])('%s reaches %i', (tip, count) => {
    expect(reachableWithin(graph, tip)).toBe(count);
  });
});

describe('mergeBaseFromSymmetric', () => {
  it.each([
    [[], null],
    [['^abc'], 'abc'],
    [['^abc', '^def'], undefined],
  ])('%j → %j', (lines, expected) => {
    expect(mergeBaseFromSymmetric(lines)).toBe(expected);
  });
});
