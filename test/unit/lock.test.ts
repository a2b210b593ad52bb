import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLock } from '../../src/io/lock.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => {
  root = mkdtempSync(path.join(tmpdir(), 'gp-lock-'));
  return path.join(root, '.lock');
};

describe('the state lock', () => {
  it('holds its owner while taken and leaves nothing behind once released', async () => {
    const lock = fresh();
    const inside = await withLock(lock, async () => readdirSync(lock));
    expect(inside).toEqual(['owner']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('takes over a lock whose owner is gone, and an empty one an older version left', async () => {
    const lock = fresh();
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'owner'), `999999999 ${hostname()}\n`);
    expect(await withLock(lock, async () => 'taken', 500)).toBe('taken');
    mkdirSync(lock);
    expect(await withLock(lock, async () => 'taken', 500)).toBe('taken');
  });

  it('waits for a live owner, and names it when the wait is over', async () => {
    const lock = fresh();
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'owner'), `${process.pid} ${hostname()}\n`);
    await expect(withLock(lock, async () => 'taken', 200)).rejects.toThrow(
      `process ${process.pid} holds the git-parallel lock ${lock}; if it is gone, remove that folder`,
    );
    expect(readdirSync(root)).toEqual(['.lock']);
  });

  it('lets one of many concurrent takers in at a time', async () => {
    const lock = fresh();
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock(lock, async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('the state lock of a repository', () => {
  it('sweeps what processes killed while reserving a run or taking the lock left, once they are gone', async () => {
    const { withStateLock } = await import('../../src/io/state.js');
    root = mkdtempSync(path.join(tmpdir(), 'gp-state-'));
    const parallel = path.join(root, 'parallel');
    mkdirSync(path.join(parallel, '.reserving-999999999-t'), { recursive: true });
    mkdirSync(path.join(parallel, '.lock-999999999-abc123'));
    mkdirSync(path.join(parallel, `.reserving-${process.pid}-u`));
    mkdirSync(path.join(parallel, 't'));
    const seen = await withStateLock(root, async () => readdirSync(parallel).sort());
    expect(seen).toEqual(['.lock', `.reserving-${process.pid}-u`, 't']);
  });
});

describe('a lock whose folder is removed', () => {
  it('is taken in the folder made again, not failed with ENOENT (rm of a run while compare saves)', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'gp-lock-'));
    const run = path.join(root, 'parallel', 't');
    const lock = path.join(run, 'checks.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(path.join(lock, 'owner'), `${process.pid} ${hostname()}\n`);
    const waiting = withLock(lock, async () => readdirSync(run), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    rmSync(run, { recursive: true, force: true });
    expect(await waiting).toEqual(['checks.lock']);
  });
});

describe('the lock under contention', () => {
  it('loses no update of a counter that 12 takers read and write 15 times each', async () => {
    const lock = fresh();
    const counter = path.join(root, 'counter');
    writeFileSync(counter, '0');
    const { readFile, writeFile } = await import('node:fs/promises');
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        for (let i = 0; i < 15; i++) {
          await withLock(
            lock,
            async () => {
              const value = Number(await readFile(counter, 'utf8'));
              await writeFile(counter, String(value + 1));
            },
            30_000,
          );
        }
      }),
    );
    expect(readFileSync(counter, 'utf8')).toBe('180');
    expect(readdirSync(root).sort()).toEqual(['counter']);
  });
});
