import { describe, expect, it } from 'vitest';
import { parseStatusZ, parseWorktreeList } from '../../src/core/git-porcelain.js';

describe('parseWorktreeList', () => {
  it('reads -z output, paths with newlines, quotes and spaces intact', () => {
    const text = [
      'worktree /r/main',
      'HEAD 1111',
      'branch refs/heads/main',
      '',
      'worktree /r/odd\nname "q" ',
      'HEAD 2222',
      'detached',
      'prunable gitdir file points to non-existent location',
      '',
      'worktree /r/bare-ish',
      'bare',
      '',
    ].join('\0');
    expect(parseWorktreeList(text, '\0')).toEqual([
      { path: '/r/main', head: '1111', branch: 'main', prunable: false },
      { path: '/r/odd\nname "q" ', head: '2222', branch: null, prunable: true },
      { path: '/r/bare-ish', head: null, branch: null, prunable: false },
    ]);
  });

  it('reads the newline form of older git', () => {
    const text =
      'worktree /r/main\nHEAD 1111\nbranch refs/heads/main\n\nworktree /r/wt\nHEAD 2222\nprunable\n';
    expect(parseWorktreeList(text, '\n')).toEqual([
      { path: '/r/main', head: '1111', branch: 'main', prunable: false },
      { path: '/r/wt', head: '2222', branch: null, prunable: true },
    ]);
  });
});

describe('parseStatusZ', () => {
  it.each([
    ['nothing', '', []],
    ['a modified file', ' M a.txt\0', [{ code: ' M', path: 'a.txt' }]],
    ['a name with a newline and quotes', '?? notes\n"q".md\0', [{ code: '??', path: 'notes\n"q".md' }]],
    [
      'names made of spaces',
      '??  \0 M  lead\0',
      [
        { code: '??', path: ' ' },
        { code: ' M', path: ' lead' },
      ],
    ],
    [
      'a rename, then another entry',
      'R  new name\0old\nname\0?? x\0',
      [
        { code: 'R ', path: 'new name', from: 'old\nname' },
        { code: '??', path: 'x' },
      ],
    ],
    ['a copy', 'C  b\0a\0', [{ code: 'C ', path: 'b', from: 'a' }]],
  ])('%s', (_name, text, expected) => {
    expect(parseStatusZ(text)).toEqual(expected);
  });
});
