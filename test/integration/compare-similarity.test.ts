import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedLines, multisetJaccard, percent } from '../../src/core/compare-stats.js';
import { diffPatch } from '../../src/io/snapshot.js';
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
