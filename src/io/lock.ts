import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandFailure } from '../errors.js';

/**
 * A lock between git-parallel processes on one repository: a directory created with mkdir, which is
 * atomic on every file system git supports. The owner's pid is written inside so a lock left by a
 * crashed process (its pid gone) is taken over instead of blocking forever.
 */
export async function withLock<T>(lockDir: string, action: () => Promise<T>, waitMs = 15_000): Promise<T> {
  await acquire(lockDir, waitMs);
  try {
    return await action();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function acquire(lockDir: string, waitMs: number): Promise<void> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lockDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(lockDir);
      if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        const who = owner ? `process ${owner.pid}` : 'another process';
        throw new CommandFailure(
          `${who} holds the git-parallel lock ${lockDir}; if it is gone, remove that folder`,
        );
      }
      await sleep(Math.min(10 + attempt * 5, 100));
      continue;
    }
    const ownerFile = path.join(lockDir, 'owner');
    try {
      await writeFile(ownerFile, `${process.pid} ${hostname()}\n`);
      return;
    } catch (error) {
      // A full disk: the lock is not taken (no lock without its owner), and the message names the file.
      await rm(lockDir, { recursive: true, force: true });
      (error as NodeJS.ErrnoException).path ??= ownerFile;
      throw error;
    }
  }
}

async function readOwner(lockDir: string): Promise<{ pid: number; host: string } | null> {
  try {
    const [pid, host] = (await readFile(path.join(lockDir, 'owner'), 'utf8')).trim().split(' ');
    return { pid: Number(pid), host: host ?? '' };
  } catch {
    // The owner is between mkdir and writing its pid: treat it as alive.
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
