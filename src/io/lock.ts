import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandFailure } from '../errors.js';

/**
 * A lock between git-parallel processes on one repository: a directory holding its owner's pid and host,
 * so a lock left by a crashed process (its pid gone) is taken over instead of blocking forever. The
 * directory is made aside with its owner file already in it and renamed into place: rename is atomic, so
 * the lock never exists without its owner, even when the process is killed half way (a lock taken with
 * mkdir and then written was left empty by a SIGKILL between the two, and blocked every later command).
 */
export async function withLock<T>(lockDir: string, action: () => Promise<T>, waitMs = 15_000): Promise<T> {
  await acquire(lockDir, waitMs);
  try {
    return await action();
  } finally {
    await release(lockDir);
  }
}

/**
 * Moved aside in one step, then deleted. Deleted in place, the lock is empty for a moment (its owner file
 * gone, the folder not yet), and a rename onto an empty folder succeeds: another process could take the
 * lock there and have it deleted under it.
 */
async function release(lockDir: string): Promise<void> {
  const gone = `${lockDir}-${process.pid}-released-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockDir, gone);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(gone, { recursive: true, force: true });
}

async function acquire(lockDir: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  // The folder the lock is in can be removed meanwhile (`rm` of a run while `compare` saves its checks):
  // it is made again and the lock taken there; the caller sees that the run is gone and cleans up.
  for (let tries = 1; ; tries++) {
    try {
      return await acquireIn(lockDir, deadline);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries >= 5) throw error;
    }
  }
}

async function acquireIn(lockDir: string, deadline: number): Promise<void> {
  const parent = path.dirname(lockDir);
  await mkdir(parent, { recursive: true });
  const aside = await mkdtemp(path.join(parent, `${path.basename(lockDir)}-${process.pid}-`));
  try {
    const ownerFile = path.join(aside, 'owner');
    try {
      await writeFile(ownerFile, `${process.pid} ${hostname()}\n`);
    } catch (error) {
      // A full disk: the lock is not taken (no lock without its owner), and the message names the file.
      (error as NodeJS.ErrnoException).path ??= ownerFile;
      throw error;
    }
    for (let attempt = 0; ; attempt++) {
      // Onto a missing path the rename takes the lock; onto another owner's lock it fails (ENOTEMPTY or
      // EEXIST). An empty directory, which only an older version left, is replaced, as a stale lock.
      if (await renamed(aside, lockDir)) return;
      const owner = await readOwner(lockDir);
      if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
        await release(lockDir);
        continue;
      }
      if (Date.now() > deadline) {
        const who = owner ? `process ${owner.pid}` : 'another process';
        throw new CommandFailure(
          `${who} holds the git-parallel lock ${lockDir}; if it is gone, remove that folder`,
        );
      }
      await sleep(Math.min(10 + attempt * 5, 100));
    }
  } finally {
    // Left only when the lock was not taken; a process killed before this leaves a hidden folder nothing reads.
    await rm(aside, { recursive: true, force: true });
  }
}

async function renamed(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

async function readOwner(lockDir: string): Promise<{ pid: number; host: string } | null> {
  try {
    const [pid, host] = (await readFile(path.join(lockDir, 'owner'), 'utf8')).trim().split(' ');
    return { pid: Number(pid), host: host ?? '' };
  } catch {
    // Released (or replaced) between the rename and this read: the next attempt tells.
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
