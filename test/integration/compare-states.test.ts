import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/output/html-escape.js';
import { BIN, runCli } from '../helpers/cli.js';
import { fingerprintAll, gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

interface Row {
  n: number;
  rank: number;
  commits: number | null;
  filesChanged: number | null;
  added: number | null;
  deleted: number | null;
  countedFrom: string | null;
  mergesIntoBase: { clean: boolean; conflicts: string[] } | null;
  warnings: string[];
  files: { path: string }[];
}

const commitAll = (cwd: string, message: string) => {
  gitIn(cwd, 'add', '-A');
  gitIn(cwd, 'commit', '--quiet', '-m', message);
  return gitIn(cwd, 'rev-parse', 'HEAD').trim();
};

/**
 * The base branch moves after the run started: 1 works on x.txt and stays where it was, 2 works on
 * y.txt and is rebased onto the moved base, 3 changes b.txt as the base did, differently.
 */
describe('compare when the base branch moved', () => {
  let repo: TestRepo;
  let worktrees: string[];
  let runBase: string;
  let moved: string;

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('b.txt', 'b\n');
    repo.commit('base');
    worktrees = await makeCompareRun(repo, 't', 3);
    runBase = repo.git('rev-parse', 'HEAD');
    const [w1, w2, w3] = worktrees as [string, string, string];
    writeFileSync(path.join(w1, 'x.txt'), 'x\n');
    commitAll(w1, 'x');
    writeFileSync(path.join(w2, 'y.txt'), 'y\n');
    commitAll(w2, 'y');
    writeFileSync(path.join(w3, 'b.txt'), 'three\n');
    commitAll(w3, 'b three');
    repo.write('b.txt', 'moved\n');
    repo.write('new.txt', 'new\n');
    moved = repo.commit('the base moves');
    gitIn(w2, 'rebase', '--quiet', 'main');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it("counts each candidate's own work from its merge base and says whether it merges cleanly now", async () => {
    const before = fingerprintAll(repo, worktrees);
    const result = await runCli(['compare', 't', '--no-check', '--json'], { cwd: repo.root });
    expect(result.code, result.stderr).toBe(0);
    expect(fingerprintAll(repo, worktrees)).toBe(before);
    const report = JSON.parse(result.stdout);
    expect(report.baseMoved).toEqual({ ref: 'main', commit: moved });
    const [c1, c2, c3] = report.candidates as [Row, Row, Row];
    // The rebased candidate's own work is y.txt alone, one commit (not the base's b.txt and new.txt).
    expect(c2).toMatchObject({ countedFrom: moved, commits: 1, filesChanged: 1, added: 1, deleted: 0 });
    expect(c2.files.map((f) => f.path)).toEqual(['y.txt']);
    expect(gitIn(repo.root, 'rev-list', '--count', `${moved}..refs/heads/t-2`).trim()).toBe('1');
    expect(c1).toMatchObject({ countedFrom: runBase, commits: 1, filesChanged: 1 });
    expect(c1.mergesIntoBase).toEqual({ clean: true, conflicts: [] });
    expect(c2.mergesIntoBase).toEqual({ clean: true, conflicts: [] });
    expect(c3.mergesIntoBase).toEqual({ clean: false, conflicts: ['b.txt'] });
    expect(c1.warnings).toEqual([]);
    expect(c2.warnings).toEqual([]);

    const text = await runCli(['compare', 't', '--no-check'], { cwd: repo.root });
    expect(text.stdout).toContain(`t-3: no, conflicts in b.txt (counted from ${runBase.slice(0, 10)})`);
    expect(text.stdout).toContain(`t-2: yes (counted from ${moved.slice(0, 10)})`);
    const html = path.join(repo.parent, 'moved.html');
    expect((await runCli(['compare', 't', '--no-check', '--html', html], { cwd: repo.root })).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<th>Merges into main now</th>');
    expect(page).toContain('<td>no: conflicts in b.txt</td>');
    expect(fingerprintAll(repo, worktrees)).toBe(before);
  });
});

/**
 * Candidates in states a chooser must be told about, each with its warning and never ranked first:
 *   1 reset behind the base; 2 its worktree switched to another branch; 3 a merge with a conflict in
 *   progress; 4 its worktree deleted; 5 worktree and branch gone; 6 a nested cloned repository;
 *   7 a submodule with uncommitted work inside it; 8 a plain good change; 9 a nested repository without
 *   commits (git cannot read the worktree).
 */
describe('compare: candidates in odd states', () => {
  let repo: TestRepo;
  let worktrees: string[];
  let report: { candidates: Row[]; ranking: { order: number[] } };
  let text: string;
  let before: string;

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('a.txt', 'a\n');
    repo.commit('base');
    const library = makeRepo('library');
    worktrees = await makeCompareRun(repo, 't', 9);
    const w = (n: number) => worktrees[n - 1]!;
    gitIn(w(1), 'reset', '--quiet', '--hard', 'HEAD~1');
    gitIn(w(2), 'checkout', '--quiet', '-b', 'elsewhere');
    writeFileSync(path.join(w(2), 'e.txt'), 'e\n');
    repo.git('branch', 'side');
    writeFileSync(path.join(w(3), 'a.txt'), 'three\n');
    commitAll(w(3), 'three');
    gitIn(repo.root, 'checkout', '--quiet', 'side');
    repo.write('a.txt', 'side\n');
    repo.commit('side');
    gitIn(repo.root, 'checkout', '--quiet', 'main');
    // A conflicting merge, left in progress.
    expect(spawnSync('git', ['merge', '--quiet', 'side'], { cwd: w(3) }).status).toBe(1);
    writeFileSync(path.join(w(4), 'four.txt'), '4\n');
    commitAll(w(4), 'four');
    rmSync(w(4), { recursive: true, force: true });
    rmSync(w(5), { recursive: true, force: true });
    repo.git('worktree', 'prune');
    repo.git('branch', '-D', 't-5');
    library.write('lib.txt', 'lib\n');
    library.commit('lib');
    gitIn(w(6), 'clone', '--quiet', library.root, 'vendor');
    gitIn(w(7), '-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', library.root, 'sub');
    commitAll(w(7), 'submodule');
    writeFileSync(path.join(w(7), 'sub', 'lib.txt'), 'changed inside\n');
    writeFileSync(path.join(w(8), 'good.txt'), 'good\n');
    commitAll(w(8), 'good');
    writeFileSync(path.join(w(9), 'nine.txt'), '9\n');
    commitAll(w(9), 'nine');
    mkdirSync(path.join(w(9), 'nested'));
    gitIn(w(9), 'init', '--quiet', 'nested');
    writeFileSync(path.join(w(9), 'nested', 'n.txt'), 'n\n');
    library.cleanup();

    before = fingerprintAll(repo, worktrees);
    const json = await runCli(['compare', 't', '--no-check', '--json'], { cwd: repo.root });
    expect(json.code, json.stderr).toBe(0);
    report = JSON.parse(json.stdout);
    const printed = await runCli(['compare', 't', '--no-check'], { cwd: repo.root });
    expect(printed.code, printed.stderr).toBe(0);
    text = printed.stdout + printed.stderr;
  }, 90_000);
  afterAll(() => repo.cleanup());

  const row = (n: number) => report.candidates.find((c) => c.n === n)!;

  it('changes nothing, ranks the one good candidate first and every warned one after it', () => {
    expect(fingerprintAll(repo, worktrees)).toBe(before);
    expect(report.ranking.order[0]).toBe(8);
    expect(row(8).warnings).toEqual([]);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 9]) {
      expect(row(n).warnings.length, `candidate ${n}`).toBeGreaterThan(0);
      expect(row(n).rank, `candidate ${n}`).toBeGreaterThan(1);
    }
  });

  it('warns of a branch reset behind the base, a worktree on another branch, a merge in progress', () => {
    expect(row(1).warnings).toEqual([
      expect.stringMatching(
        /^its work does not contain the run's base [0-9a-f]{10} \(reset or rebased behind it\?\)/,
      ),
    ]);
    expect(row(1).filesChanged).toBe(0);
    expect(row(2).warnings).toEqual(['its worktree is on the branch elsewhere, not on its own t-2']);
    expect(row(3).warnings).toEqual([
      'a merge is in progress with 1 unmerged file; its change has 1 conflict marker',
    ]);
    expect(text).toContain('warning: t-2: its worktree is on the branch elsewhere, not on its own t-2');
  });

  it('warns of a gone worktree, and a candidate with nothing left reads "-", never +0 -0', () => {
    expect(row(4).warnings[0]).toMatch(/^its worktree .*t-4 is gone; compared through its branch t-4$/);
    expect(row(4)).toMatchObject({ filesChanged: 1, added: 1 });
    expect(row(5).warnings[0]).toMatch(
      /^its worktree .*t-5 and its branch t-5 are gone: there is nothing to compare$/,
    );
    expect(row(5)).toMatchObject({ filesChanged: null, added: null, deleted: null, commits: null });
    const line = text.split('\n').find((l) => /^\d+ +5 +t-5 /.test(l))!;
    expect(line).toBeDefined();
    expect(line).not.toContain('+0 -0');
    expect(line).toMatch(/ - +- /);
  });

  it('names a nested clone and a dirty submodule, and keeps the unreadable one as a warning row', () => {
    expect(row(6).warnings).toEqual([
      'vendor is a nested git repository: only its commit is recorded, its files are not compared',
    ]);
    expect(row(7).warnings).toEqual([
      'the submodule sub has uncommitted changes inside it, which compare does not see',
    ]);
    expect(row(9).warnings[0]).toMatch(/^git could not read its work: /);
  });

  it('the HTML report shows the same warnings on each row, ranks them the same, and "–" for nothing to compare', async () => {
    const file = path.join(repo.parent, 'states.html');
    const result = await runCli(['compare', 't', '--no-check', '--html', file], { cwd: repo.root });
    expect(result.code, result.stderr).toBe(0);
    expect(fingerprintAll(repo, worktrees)).toBe(before);
    const page = readFileSync(file, 'utf8');
    const rowOf = (n: number) => page.match(new RegExp(`<tr data-candidate="${n}">[\\s\\S]*?</tr>`))![0];
    for (const n of [1, 2, 3, 4, 5, 6, 7, 9]) {
      for (const warning of row(n).warnings) {
        expect(rowOf(n), `candidate ${n}`).toContain(
          `<div class="warning">warning: ${escapeHtml(warning)}</div>`,
        );
      }
    }
    expect(rowOf(8)).not.toContain('class="warning"');
    expect(rowOf(8)).toMatch(/^<tr data-candidate="8">\n<td class="num">1<\/td>/);
    expect(rowOf(5)).not.toContain('+0');
    expect(rowOf(5)).toMatch(/<td class="num">–<\/td>\n<td class="num">–<\/td>/);
  });

  it('diff warns of an unreadable candidate and shows its branch', () => {
    const result = spawnSync(process.execPath, [BIN, 'diff', 't', '9', '--', '--stat'], {
      cwd: repo.root,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: git could not read t-9's worktree \(.*\); showing its branch t-9 without uncommitted work$/m,
    );
    expect(result.stdout).toContain('nine.txt');
  });
});
