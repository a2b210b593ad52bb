import { describe, expect, it } from 'vitest';
import {
  changeNotes,
  lineEndingOnlyFiles,
  parseRawNumstatZ,
  touchedPaths,
  whitespaceOnlyFiles,
} from '../../src/core/compare-files.js';
import { totalsOf } from '../../src/core/compare-stats.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

/** One raw record as `diff-tree -z --raw` writes it. */
function raw(status: string, ...paths: string[]): string {
  const [oldMode, newMode, oldBlob, newBlob] =
    status === 'A'
      ? ['000000', '100644', Z, B]
      : status === 'D'
        ? ['100644', '000000', A, Z]
        : ['100644', '100644', A, B];
  return `:${oldMode} ${newMode} ${oldBlob} ${newBlob} ${status}\0${paths.join('\0')}\0`;
}

describe('parseRawNumstatZ', () => {
  it('reads status, both paths of a rename, modes, blobs and lines, names unquoted', () => {
    const text =
      `:100644 100755 ${A} ${A} M\0run.sh\0` +
      `:100644 100644 ${A} ${B} R097\0old/name.js\0new\tname.js\0` +
      `:000000 120000 ${Z} ${B} A\0link\0` +
      `:100644 100644 ${A} ${B} M\0logo.png\0` +
      '0\t0\trun.sh\0' +
      '1\t0\t\0old/name.js\0new\tname.js\0' +
      '1\t0\tlink\0' +
      '-\t-\tlogo.png\0';
    const files = parseRawNumstatZ(text);
    expect(files.map((f) => [f.status, f.oldPath, f.path, f.added, f.deleted, f.binary])).toEqual([
      ['M', null, 'run.sh', 0, 0, false],
      ['R', 'old/name.js', 'new\tname.js', 1, 0, false],
      ['A', null, 'link', 1, 0, false],
      ['M', null, 'logo.png', 0, 0, true],
    ]);
    expect(files[1]!.similarity).toBe(97);
    expect(changeNotes(files[0]!)).toEqual(['mode 100644 → 100755 (file → executable)']);
    expect(changeNotes(files[2]!)).toEqual(['symlink']);
    expect(changeNotes({ ...files[3]!, oldSize: 10, newSize: 2048 })).toEqual([
      'binary 10 bytes → 2,048 bytes',
    ]);
    expect(touchedPaths(files[1]!)).toEqual(['old/name.js', 'new\tname.js']);
  });

  it('is empty for no output and rejects what it does not understand', () => {
    expect(parseRawNumstatZ('')).toEqual([]);
    expect(() => parseRawNumstatZ(`${raw('M', 'a')}garbage\0`)).toThrow(/unexpected numstat record/);
    expect(() => parseRawNumstatZ(raw('M', 'a'))).toThrow(/unexpected end/);
  });
});

describe('lineEndingOnlyFiles', () => {
  it('flags a file whose lines changed only from LF to CRLF', () => {
    const patch = [
      'diff --git a/x b/x',
      '@@ -1,2 +1,2 @@',
      '-one',
      '-two',
      '+one\r',
      '+two\r',
      'diff --git a/y b/y',
      '@@ -1 +1 @@',
      '-one',
      '+uno\r',
      'diff --git a/z b/z',
      'old mode 100644',
      'new mode 100755',
    ].join('\n');
    expect(lineEndingOnlyFiles(patch)).toEqual([true, false, false]);
  });
});

describe('whitespaceOnlyFiles', () => {
  it('flags a file with hunks whose -w patch has none, or leaves it out', () => {
    // Each file: its hunks in the patch, its hunks in the -w patch (null: -w leaves the file out), and
    // whether its change is white space only.
    const files: [string, string[], string[] | null, boolean][] = [
      ['x', ['@@ -1 +1 @@', '-a', '+  a'], [], true],
      ['y', ['@@ -1 +1 @@', '-b', '+c'], ['@@ -1 +1 @@', '-b', '+c'], false],
      ['z', ['old mode 100644', 'new mode 100755'], ['old mode 100644', 'new mode 100755'], false],
      ['w', ['@@ -1 +1 @@', '-d', '+ d'], null, true],
    ];
    type File = (typeof files)[number];
    const patchOf = (hunksOf: (file: File) => string[] | null) =>
      files
        .flatMap((file) => {
          const hunks = hunksOf(file);
          return hunks === null ? [] : [`diff --git a/${file[0]} b/${file[0]}`, ...hunks];
        })
        .join('\n');
    const patch = patchOf(([, hunks]) => hunks);
    const ignoring = patchOf(([, , hunksIgnoringWhitespace]) => hunksIgnoringWhitespace);
    expect(whitespaceOnlyFiles(patch, ignoring)).toEqual(files.map(([, , , only]) => only));
    expect(whitespaceOnlyFiles(patch, patch)).toEqual(files.map(() => false));
  });
});

describe('totalsOf', () => {
  it('adds lines and counts binary files as changed files', () => {
    const text = `${raw('M', 'a')}${raw('M', 'b.bin')}${raw('A', 'c')}3\t1\ta\0-\t-\tb.bin\x002\t2\tc\0`;
    expect(totalsOf(parseRawNumstatZ(text))).toEqual({ files: 3, added: 5, deleted: 3, binaryFiles: 1 });
  });
});
