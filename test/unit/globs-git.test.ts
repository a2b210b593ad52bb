import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWorktreeInclude, selects } from '../../src/core/globs.js';

/** `.worktreeinclude` read as git reads .gitignore (issue 13 item 16): compared with git itself. */
const root = mkdtempSync(path.join(tmpdir(), 'gp-globs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FILES = ['a.tmp', 'x/b.tmp', 'x/c.txt', 'x/y/d.tmp', 'z/e.tmp', 'z/keep.tmp', 'n/m/f.txt'];
execFileSync('git', ['init', '-q'], { cwd: root });
for (const file of FILES) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), '');
}

describe('.worktreeinclude selects what git would', () => {
  it.each([
    ['*.tmp\n!x/\n'],
    ['*.tmp\n!x/b.tmp\n'],
    ['x/\n!x/b.tmp\n'],
    ['z/\n!z/keep.tmp\n'],
    ['*.tmp\n!**/keep.tmp\n'],
    ['n/\n!n/m/\n'],
    ['/x/*\n!/x/y\n'],
  ])('%j', (text) => {
    writeFileSync(path.join(root, '.rules'), text);
    const git = execFileSync('git', ['ls-files', '-o', '-i', '--exclude-from=.rules'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f !== '' && f !== '.rules')
      .sort();
    const rules = parseWorktreeInclude(text);
    expect(FILES.filter((file) => selects(rules, file, false)).sort()).toEqual(git);
  });
});
