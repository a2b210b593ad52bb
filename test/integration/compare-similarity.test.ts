import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedLines, multisetJaccard, percent } from '../../src/core/compare-stats.js';
import { diffPatch } from '../../src/io/snapshot.js';
import { runCli } from '../helpers/cli.js';
import { makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Similarity on real git patches: 100% means the same change, so two changes that differ in where a
 * line went, in a binary's bytes or in a file's mode must never read 100%.
 */
describe('line similarity of real patches', () => {
  let repo: TestRepo;
  let base: string;
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);

  beforeAll(() => {
    repo = makeRepo('similar');
    repo.write('text.txt', `${lines.join('\n')}\n`);
    repo.write('c.txt', 'c\n');
    repo.write('bin.dat', '\u0000old');
    base = repo.commit('base');
  });
  afterAll(() => repo.cleanup());

  /** The patch of a branch made from the base by `change`. */
  const patchOf = async (branch: string, change: () => void) => {
    repo.git('checkout', '--quiet', '-b', branch, base);
    change();
    const commit = repo.commit(branch);
    repo.git('checkout', '--quiet', 'main');
    return changedLines(await diffPatch(repo.root, base, commit));
  };
  const insertAt = (at: number) => () => {
    const copy = [...lines];
    copy.splice(at, 0, 'NEW');
    writeFileSync(path.join(repo.root, 'text.txt'), `${copy.join('\n')}\n`);
  };

  it('an insertion at another line is a different change', async () => {
    const early = await patchOf('early', insertAt(1));
    const late = await patchOf('late', insertAt(18));
    const again = await patchOf('early-again', insertAt(1));
    expect(percent(multisetJaccard(early, late))).not.toBe('100%');
    expect(percent(multisetJaccard(early, again))).toBe('100%');
  });

  it('different binary bytes, or a mode change, are different changes', async () => {
    const binaryA = await patchOf('bin-a', () =>
      writeFileSync(path.join(repo.root, 'bin.dat'), randomBytes(64)),
    );
    const binaryB = await patchOf('bin-b', () =>
      writeFileSync(path.join(repo.root, 'bin.dat'), randomBytes(64)),
    );
    expect(percent(multisetJaccard(binaryA, binaryB))).not.toBe('100%');
    const executable = await patchOf('mode', () => chmodSync(path.join(repo.root, 'c.txt'), 0o755));
    const unchanged = await patchOf('none', () => {});
    expect(executable.size).toBeGreaterThan(0);
    expect(percent(multisetJaccard(executable, unchanged))).toBe('0%');
  });
});

/**
 * The issue's own cases through `git parallel compare` on a real run: 1 and 2 each write different random
 * bytes to bin.dat and make c.txt executable; 3 inserts NEW at line 2 of text.txt, 4 at line 19, 5 at
 * line 2 again (the same change as 3). Only 3 and 5 may read 100% · 100%, in text, --json and HTML alike.
 */
describe('similarity through compare, in text, --json and HTML', () => {
  let repo: TestRepo;
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  const cli = (args: string[]) => runCli(args, { cwd: repo.root });

  beforeAll(async () => {
    repo = makeRepo('tiny');
    repo.write('text.txt', `${lines.join('\n')}\n`);
    repo.write('c.txt', 'c\n');
    writeFileSync(path.join(repo.root, 'bin.dat'), Buffer.from([0, 1, 2, 3]));
    repo.commit('base');
    const worktrees = await makeCompareRun(repo, 't', 5);
    const insertAt = (worktree: string, at: number) => {
      const copy = [...lines];
      copy.splice(at, 0, 'NEW');
      writeFileSync(path.join(worktree, 'text.txt'), `${copy.join('\n')}\n`);
    };
    for (const w of worktrees.slice(0, 2)) {
      writeFileSync(path.join(w, 'bin.dat'), Buffer.concat([Buffer.from([0]), randomBytes(64)]));
      chmodSync(path.join(w, 'c.txt'), 0o755);
    }
    insertAt(worktrees[2]!, 1);
    insertAt(worktrees[3]!, 18);
    insertAt(worktrees[4]!, 1);
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('reads 100% only for the identical pair', async () => {
    const json = await cli(['compare', 't', '--no-check', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const pairs: { a: number; b: number; fileSimilarity: number; lineSimilarity: number }[] = JSON.parse(
      json.stdout,
    ).overlap.pairs;
    const pair = (a: number, b: number) => pairs.find((p) => p.a === a && p.b === b)!;
    expect(pair(1, 2).fileSimilarity).toBe(1); // the same two files…
    expect(pair(1, 2).lineSimilarity).toBeLessThan(1); // …changed differently (the bytes differ)
    expect(pair(3, 4).fileSimilarity).toBe(1);
    expect(pair(3, 4).lineSimilarity).toBeLessThan(1); // NEW at line 2 is not NEW at line 19
    expect(pair(3, 5)).toMatchObject({ fileSimilarity: 1, lineSimilarity: 1 });

    const text = (await cli(['compare', 't', '--no-check'])).stdout;
    const matrix = text.slice(text.indexOf('Similarity'));
    expect(matrix).toMatch(
      /^Similarity \(.*each line at its place in the file, each mode and binary content; 100% · 100% is the same change\)$/m,
    );
    const rowOf = (name: string) =>
      matrix.split('\n').find((l) => l.trimStart().startsWith(`${name} `) && l.includes('%'))!;
    // Row t-1: -, then t-2 (same files, different bytes); row t-3: t-4 differs, t-5 is identical.
    expect(rowOf('t-1').trim().split(/ {2,}/)[2]).toMatch(/^100% · \d{1,2}%$/);
    expect(rowOf('t-3').trim().split(/ {2,}/)[4]).toMatch(/^100% · \d{1,2}%$/);
    expect(rowOf('t-3').trim().split(/ {2,}/)[5]).toBe('100% · 100%');
    expect(
      matrix
        .split('\n')
        .slice(1)
        .join('\n')
        .match(/100% · 100%/g),
    ).toHaveLength(2); // t-3/t-5 and t-5/t-3

    const file = path.join(repo.parent, 'similar.html');
    expect((await cli(['compare', 't', '--no-check', '--html', file])).code).toBe(0);
    const page = readFileSync(file, 'utf8');
    expect(page.match(/files 100%<br>lines 100%<\/td>/g)).toHaveLength(2);
    expect(page).toContain('100% means the same change');
  });
});
