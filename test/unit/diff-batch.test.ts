import { describe, expect, it } from 'vitest';
import { splitStdinDiffs, stdinPairHeader, touchesGitattributes } from '../../src/core/diff-batch.js';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const c = 'c'.repeat(40);
const h = stdinPairHeader;

describe('splitStdinDiffs (-z --raw --numstat -p)', () => {
  const raw = `:100644 100644 ${'1'.repeat(40)} ${'2'.repeat(40)} M\0x.txt\0`;
  const numstat = '1\t1\tx.txt\0';
  const patch = 'diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n';
  const one = `${raw}${numstat}\0${patch}`;
  // A rename whose new path holds a newline and then what looks like the next pair's header.
  const tricky = `R100\0old\0new\n${h(a, c)}`;
  const rename = `:100644 100644 ${'1'.repeat(40)} ${'1'.repeat(40)} ${tricky}\0`;
  const renameStat = `0\t0\t\0old\0new\n${h(a, c)}\0`;
  const renamed = `${rename}${renameStat}\0diff --git a/old "b/new\\n..."\nsimilarity index 100%\n`;
  it.each<[string, string, [string, string][], string[] | null]>([
    ['one pair', `${h(a, b)}${one}`, [[a, b]], [one]],
    [
      'an empty diff between two',
      `${h(a, b)}${one}${h(a, a)}${h(a, c)}${one}`,
      [
        [a, b],
        [a, a],
        [a, c],
      ],
      [one, '', one],
    ],
    [
      'a path that looks like a header',
      `${h(a, b)}${renamed}${h(a, c)}${one}`,
      [
        [a, b],
        [a, c],
      ],
      [renamed, one],
    ],
    [
      'a missing header',
      `${h(a, b)}${one}`,
      [
        [a, b],
        [a, c],
      ],
      null,
    ],
    [
      'pairs in another order',
      `${h(a, c)}${one}${h(a, b)}`,
      [
        [a, b],
        [a, c],
      ],
      null,
    ],
    ['a malformed record', `${h(a, b)}:100644 nonsense\0`, [[a, b]], null],
  ])('%s', (_, output, pairs, expected) => {
    expect(splitStdinDiffs(output, pairs, true)).toEqual(expected);
  });
});

describe('splitStdinDiffs (-p)', () => {
  const patch = 'diff --git a/x b/x\n@@ -1 +1 @@\n-a\n+b\n';
  // A changed line whose text is the next header: prefixed by +, so not at the start of a line.
  const sneaky = `diff --git a/y b/y\n@@ -0,0 +1 @@\n+${h(a, c)}`;
  it.each<[string, string, [string, string][], string[] | null]>([
    [
      'two pairs',
      `${h(a, b)}${patch}${h(a, c)}${patch}`,
      [
        [a, b],
        [a, c],
      ],
      [patch, patch],
    ],
    [
      'a line that holds the next header',
      `${h(a, b)}${sneaky}${h(a, c)}${patch}`,
      [
        [a, b],
        [a, c],
      ],
      [sneaky, patch],
    ],
    [
      'an empty last diff',
      `${h(a, b)}${patch}${h(a, c)}`,
      [
        [a, b],
        [a, c],
      ],
      [patch, ''],
    ],
    [
      'no output for the first pair',
      `${h(a, c)}${patch}`,
      [
        [a, b],
        [a, c],
      ],
      null,
    ],
  ])('%s', (_, output, pairs, expected) => {
    expect(splitStdinDiffs(output, pairs, false)).toEqual(expected);
  });
});

describe('touchesGitattributes', () => {
  it.each<[string, { path: string; oldPath: string | null }[], boolean]>([
    ['none', [], false],
    ['other files', [{ path: 'src/a.ts', oldPath: null }], false],
    ['the top one', [{ path: '.gitattributes', oldPath: null }], true],
    ['a nested one', [{ path: 'docs/.gitattributes', oldPath: null }], true],
    ['renamed away', [{ path: 'attrs.txt', oldPath: '.gitattributes' }], true],
    ['a look-alike name', [{ path: 'my.gitattributes', oldPath: null }], false],
  ])('%s', (_, changes, expected) => {
    expect(touchesGitattributes(changes)).toBe(expected);
  });
});
