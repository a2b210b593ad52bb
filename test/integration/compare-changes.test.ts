import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fingerprintAll, gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * What each file of a candidate is, as git sees it: renames and copies detected (as `git diff -M -C`),
 * a status letter per file, mode changes, symlinks, binary sizes and line-ending-only changes, in the
 * text, --json and the HTML alike, on a real run whose worktrees real git shaped:
 *   1 renames big.js (one line changed) and adds `back\slash.txt`, committed;
 *   2 makes c.txt executable, adds a symlink and rewrites the binary bin.dat, committed;
 *   3 turns m.txt's line endings into CRLF and indents c.txt (whitespace only), uncommitted.
 */
describe('compare: renames, status letters, modes, symlinks, binary sizes', () => {
  let repo: TestRepo;
  let worktrees: string[];
  const big = Array.from({ length: 200 }, (_, i) => `export const line${i} = ${i};`);
  const cli = (args: string[]) => runCli(args, { cwd: repo.root });

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('big.js', `${big.join('\n')}\n`);
    repo.write('c.txt', 'c\n');
    repo.write('m.txt', 'one\ntwo\n');
    writeFileSync(path.join(repo.root, 'bin.dat'), Buffer.from([0, 1, 2, 3, 4, 5]));
    repo.commit('base');
    worktrees = await makeCompareRun(repo, 't', 3);
    const [w1, w2, w3] = worktrees as [string, string, string];
    gitIn(w1, 'mv', 'big.js', 'moved.js');
    writeFileSync(path.join(w1, 'moved.js'), `${big.join('\n').replace('= 7;', '= 70;')}\n`);
    writeFileSync(path.join(w1, 'back\\slash.txt'), 'b\n');
    gitIn(w1, 'add', '-A');
    gitIn(w1, 'commit', '--quiet', '-m', 'rename');
    chmodSync(path.join(w2, 'c.txt'), 0o755);
    symlinkSync('c.txt', path.join(w2, 'link'));
    writeFileSync(path.join(w2, 'bin.dat'), randomBytes(1000));
    gitIn(w2, 'add', '-A');
    gitIn(w2, 'commit', '--quiet', '-m', 'modes');
    writeFileSync(path.join(w3, 'm.txt'), 'one\r\ntwo\r\n');
    writeFileSync(path.join(w3, 'c.txt'), '  c\n');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('--json: a rename counts what changed in it; status, modes, symlink, binary sizes, line endings', async () => {
    const before = fingerprintAll(repo, worktrees);
    const result = await cli(['compare', 't', '--no-check', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(fingerprintAll(repo, worktrees)).toBe(before);
    const [c1, c2, c3] = JSON.parse(result.stdout).candidates;

    // git's own numbers with rename detection, on the same snapshot tree.
    const base = JSON.parse(result.stdout).base.commit;
    const gitTotals = (tree: string) =>
      gitIn(repo.root, 'diff', '-M', '-C', '--numstat', base, tree)
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t').slice(0, 2).map(Number))
        .reduce((sum, [a, d]) => sum + (a || 0) + (d || 0), 0);
    expect(c1.added + c1.deleted).toBe(gitTotals(c1.tree));
    expect(c1.added + c1.deleted).toBe(3); // moved.js +1 −1, back\slash.txt +1 (without renames: +201 −200)
    expect(c1.filesChanged).toBe(2);
    const moved = c1.files.find((f: { path: string }) => f.path === 'moved.js');
    expect(moved).toMatchObject({ status: 'R', oldPath: 'big.js', added: 1, deleted: 1 });
    expect(moved.similarity).toBeGreaterThanOrEqual(90);
    expect(c1.files.find((f: { path: string }) => f.path === 'back\\slash.txt')).toMatchObject({
      status: 'A',
    });

    const byPath = (c: { files: { path: string }[] }, p: string) => c.files.find((f) => f.path === p);
    expect(byPath(c2, 'c.txt')).toMatchObject({
      status: 'M',
      oldMode: '100644',
      newMode: '100755',
      added: 0,
    });
    expect(byPath(c2, 'link')).toMatchObject({ status: 'A', newMode: '120000' });
    expect(byPath(c2, 'bin.dat')).toMatchObject({ status: 'M', binary: true, oldSize: 6, newSize: 1000 });
    expect(byPath(c3, 'm.txt')).toMatchObject({ status: 'M', lineEndingsOnly: true, added: 2, deleted: 2 });
    // Whitespace only: git diff -w leaves nothing of c.txt; moved.js's real change is no such thing.
    expect(byPath(c3, 'c.txt')).toMatchObject({ lineEndingsOnly: false, whitespaceOnly: true, added: 1 });
    expect(gitIn(repo.root, 'diff', '-w', '--numstat', base, c3.tree)).not.toMatch(/\tc\.txt$/m);
    expect(moved.whitespaceOnly).toBe(false);
  });

  it('text: a status letter per file, the rename, the mode change, the sizes', async () => {
    const result = await cli(['compare', 't', '--no-check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {4}R big\.js → moved\.js \(\d+%\) {2}\+1 -1$/m);
    expect(result.stdout).toMatch(/^ {4}A "back\\\\slash\.txt" {2}\+1 -0$/m);
    expect(result.stdout).toContain('M c.txt  +0 -0  mode 100644 → 100755 (file → executable)');
    expect(result.stdout).toContain('A link  +1 -0  symlink');
    expect(result.stdout).toContain('M bin.dat  binary 6 → 1000 bytes');
    expect(result.stdout).toContain('M m.txt  +2 -2  line endings only (CRLF ↔ LF)');
    expect(result.stdout).toContain('M c.txt  +1 -1  whitespace only (nothing left ignoring whitespace)');
  });

  it('ranks a binary by its size, never as a change of no lines (text, --json and HTML)', async () => {
    // Candidate 2's only lines are the symlink's one; its binary has 1,000 bytes (16 line-equivalents).
    // Counted as 0 lines, it ranked first, above candidate 1's +2 -1 and candidate 3's +2 -2.
    const json = JSON.parse((await cli(['compare', 't', '--no-check', '--json'])).stdout);
    expect(json.ranking.order).toEqual([1, 3, 2]);
    expect(json.ranking.rule).toContain(
      'fewer changed lines (added + deleted; a binary file counts one line per 64 bytes)',
    );
    const text = (await cli(['compare', 't', '--no-check'])).stdout;
    const ranks = text
      .split('\n')
      .filter((line) => /^\d +\d +t-\d /.test(line))
      .map((line) => line.split(/ +/).slice(0, 2).map(Number));
    expect(ranks).toEqual([
      [1, 1],
      [2, 3],
      [3, 2],
    ]);
    const file = path.join(repo.parent, 'ranked.html');
    expect((await cli(['compare', 't', '--no-check', '--html', file])).code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('<h2>#3 t-2 ');
    expect(page).toContain('a binary file counts one line per 64 bytes');
  });

  it('HTML: the file table and the diff headers show status, true names and what lines do not', async () => {
    const file = path.join(repo.parent, 'report.html');
    const result = await cli(['compare', 't', '--no-check', '--html', file]);
    expect(result.code, result.stderr).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(
      /<td class="status status-R"[^>]*>R<\/td><td><a href="#c1-f\d+"><code>big\.js<\/code> → <code>moved\.js<\/code>/,
    );
    expect(page).toContain('mode 100644 → 100755 (file → executable)');
    expect(page).toContain('binary 6 bytes → 1,000 bytes');
    expect(page).toContain('line endings only (CRLF ↔ LF)');
    expect(page).toContain('whitespace only (nothing left ignoring whitespace)');
    expect(page).toMatch(/<td>symlink<\/td>/);
    // diff2html's own headers: the backslash kept, the mode change named next to the file.
    expect(page).toContain('<span class="d2h-file-name">back\\slash.txt</span>');
    expect(page).not.toContain('back/slash.txt');
    expect(page).toMatch(/<span class="d2h-file-name">c\.txt <span class="file-note">mode 100644 → 100755/);
    expect(page).not.toMatch(/gpname[0-9a-f]{12}/);
    // A CRLF change shows its carriage returns.
    expect(page).toMatch(/one(<[^>]+>)*␍/);
  });
});
