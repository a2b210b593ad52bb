import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunManifest } from '../core/types.js';
import { CommandFailure } from '../errors.js';
import { pathExists, readIfExists } from './files.js';
import { fileAtCommit } from './git.js';
import { runGit } from './git-runner.js';
import { isAlive } from './lock.js';
import { type ManifestRead, readManifest } from './state.js';

/**
 * Issue 10 F5 and F7: runs whose creation did not finish. A creation records its process in run.json
 * (`creator`) until the run is ready, so another command can tell a creation in progress (its process is
 * alive) from one that was killed (SIGKILL, a closed terminal, a crash): the first is waited for, the
 * second left worktrees that may hold nothing but a checkout that never completed.
 */
export function creationInProgress(manifest: RunManifest): boolean {
  const creator = manifest.creator;
  return (
    manifest.phase === 'creating' &&
    creator !== undefined &&
    creator.host === hostname() &&
    isAlive(creator.pid)
  );
}

/** How long `rm` waits for a creation in progress before it refuses. */
const CREATION_WAIT_MS = 60_000;

/**
 * Reads a run for `rm`; a run still being created is waited for (bounded), so removing it never races
 * the checkouts being written. Null when there is no run (also: the creation was interrupted and rolled
 * itself back while we waited).
 */
export async function readSettledRun(
  commonDir: string,
  task: string,
  say: (line: string) => void,
  waitMs = CREATION_WAIT_MS,
): Promise<ManifestRead | null> {
  const read = await readManifest(commonDir, task);
  const settled =
    read?.manifest && creationInProgress(read.manifest) ? await awaitCreation(read, say, waitMs) : read;
  return settled ? claimRemoval(commonDir, settled, say, waitMs) : null;
}

async function awaitCreation(
  first: ManifestRead,
  say: (line: string) => void,
  waitMs: number,
): Promise<ManifestRead | null> {
  const { task } = first;
  let read: ManifestRead | null = first;
  const pid = first.manifest!.creator!.pid;
  const commonDir = path.dirname(path.dirname(first.dir));
  say(`${task} is being created (process ${pid}); waiting for it to finish…`);
  const deadline = Date.now() + waitMs;
  while (read?.manifest && creationInProgress(read.manifest)) {
    if (Date.now() > deadline) {
      throw new CommandFailure(
        `${task} is still being created by process ${pid}; let it finish or stop it (Ctrl-C), then run git parallel rm ${task} again`,
      );
    }
    await sleep(100);
    read = await readManifest(commonDir, task);
  }
  return read;
}

/**
 * Two `rm` of one run at once must not both remove it (the second finds worktrees gone under it): the
 * first claims the run (`<run>/.removing`, with its pid; released when the process ends), the second waits
 * for it and then reads the run again, which is usually gone by then.
 */
async function claimRemoval(
  commonDir: string,
  read: ManifestRead,
  say: (line: string) => void,
  waitMs: number,
): Promise<ManifestRead | null> {
  const claim = path.join(read.dir, '.removing');
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      await mkdir(claim);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return readManifest(commonDir, read.task);
      // A full or read-only disk: no claim, and rm goes on (removing needs no room; it says what failed).
      if (code !== 'EEXIST') return read;
    }
    if (!(await pathExists(path.join(claim, 'owner')))) {
      try {
        await writeFile(path.join(claim, 'owner'), `${process.pid} ${hostname()}\n`, { flag: 'wx' });
        process.once('exit', () => rmSync(claim, { recursive: true, force: true }));
        return read;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rm(claim, { recursive: true, force: true });
          return read;
        }
      }
    }
    const [pid, host] = (await readIfExists(path.join(claim, 'owner')))?.trim().split(' ') ?? [];
    if (pid && (host !== hostname() || !isAlive(Number(pid)))) {
      await rm(claim, { recursive: true, force: true });
      continue;
    }
    if (!told && pid) say(`${read.task} is being removed by process ${pid}; waiting for it…`);
    told = true;
    if (Date.now() > deadline)
      throw new CommandFailure(
        `${read.task} is being removed by another git parallel process; try again later`,
      );
    await sleep(100);
    const again = await readManifest(commonDir, read.task);
    if (again === null) return null;
    read = again;
  }
}

/**
 * The run as `rm`'s loss check should see it: a candidate of a killed creation whose worktree holds
 * nothing but an unfinished checkout of the base (files missing, none changed, none added, the branch
 * not moved) has no work, however many "deleted" files `git status` counts in it. Git's own
 * "initializing" lock, left on such a worktree by a `git worktree add` that was killed, is dropped, so
 * that removing it is not refused either: that git process is gone.
 */
export async function withoutUnfinishedCheckouts(manifest: RunManifest): Promise<RunManifest> {
  if (manifest.phase !== 'creating' || creationInProgress(manifest)) return manifest;
  const kept = [];
  for (const candidate of manifest.candidates) {
    if (await isUnfinishedCheckout(candidate.worktree, manifest.base.commit)) {
      await dropInitializingLock(candidate.worktree);
    } else {
      kept.push(candidate);
    }
  }
  return { ...manifest, candidates: kept };
}

/**
 * What a `git worktree add` killed half way (SIGKILL, a crash) leaves for a killed creation: git's admin
 * folder, still locked "initializing", sometimes missing files git had not yet written (an empty
 * `commondir` makes every `git worktree` command of the repository fail), beside a candidate folder that
 * holds nothing but its `.git` file. `add` runs with --no-checkout and git unlocks at its end, so such a
 * registration never holds work: its admin folder is removed, and removeRunResources then deletes the
 * folder as a lone pointer. Only admin folders of this run's recorded worktrees are touched.
 */
export async function clearKilledRegistrations(commonDir: string, manifest: RunManifest): Promise<void> {
  if (manifest.phase !== 'creating' || creationInProgress(manifest)) return;
  const adminRoot = path.join(commonDir, 'worktrees');
  const pointers = new Set(manifest.candidates.map((c) => path.join(c.worktree, '.git')));
  // git names the admin folder after the worktree's folder, with a number added when that name is taken.
  const names = manifest.candidates.map((c) => path.basename(c.worktree));
  for (const id of await readdir(adminRoot).catch(() => [] as string[])) {
    const admin = path.join(adminRoot, id);
    if ((await readIfExists(path.join(admin, 'locked')))?.trim() !== 'initializing') continue;
    const gitdir = (await readIfExists(path.join(admin, 'gitdir')))?.trim();
    const ours = gitdir
      ? pointers.has(gitdir)
      : names.some((name) => id.startsWith(name) && /^\d*$/.test(id.slice(name.length)));
    if (ours) await rm(admin, { recursive: true, force: true });
  }
}

/** Whether `worktree` holds nothing but a checkout of `base` that stopped before it was complete. */
export async function isUnfinishedCheckout(worktree: string, base: string): Promise<boolean> {
  if (!(await pathExists(worktree))) return false;
  const entries = await readdir(worktree);
  if (entries.length === 0 || (entries.length === 1 && entries[0] === '.git')) return true;
  const admin = await adminDirOf(worktree);
  // A checkout that completed wrote the worktree's index; an unfinished one never did.
  if (admin === null || (await pathExists(path.join(admin, 'index')))) return false;
  const head = await runGit(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD'], { check: false });
  if (head.stdout.trim() !== base) return false;
  // Compare what is on disk with the base through a scratch index: only missing files are allowed.
  const scratch = await mkdtemp(path.join(tmpdir(), 'git-parallel-index-'));
  try {
    const env = { ...process.env, GIT_INDEX_FILE: path.join(scratch, 'index') };
    await runGit(worktree, ['read-tree', base], { env });
    const status = await runGit(
      worktree,
      ['status', '--porcelain=v1', '--untracked-files=all', '--no-renames'],
      {
        env,
      },
    );
    const lines = status.stdout.split('\n').filter((line) => line !== '' && !line.startsWith(' D '));
    // A file being written when the checkout was killed holds the start of the base's file, or nothing.
    for (const line of lines) {
      if (!line.startsWith(' M ')) return false;
      if (!(await isPrefixOfBase(worktree, base, line.slice(3)))) return false;
    }
    return true;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function isPrefixOfBase(worktree: string, base: string, file: string): Promise<boolean> {
  const onDisk = await readFile(path.join(worktree, file), 'utf8').catch(() => null);
  if (onDisk === null) return false;
  const blob = await fileAtCommit(worktree, base, file);
  // A write cut inside a multi-byte character decodes to a replacement character at the end.
  const written = onDisk.replace(/\uFFFD$/, '');
  return blob !== null && written.length < blob.length && blob.startsWith(written);
}

/** The worktree's administrative folder in the repository (`.git/worktrees/<id>`), from its `.git` file. */
async function adminDirOf(worktree: string): Promise<string | null> {
  const pointer = (await readIfExists(path.join(worktree, '.git')))?.match(/^gitdir: (.*)$/m);
  return pointer ? path.resolve(worktree, pointer[1]!.trim()) : null;
}

async function dropInitializingLock(worktree: string): Promise<void> {
  const admin = await adminDirOf(worktree);
  if (admin === null) return;
  const lock = path.join(admin, 'locked');
  if ((await readIfExists(lock))?.trim() === 'initializing') await unlink(lock);
}

/**
 * Folders left by checkouts that git no longer knows (F7): in the folders where this repository's runs put
 * their worktrees, a folder whose `.git` file points into this repository's `worktrees/` at an entry that
 * no longer exists. Nothing else is named: a folder that is not such a checkout is never touched.
 */
export async function findOrphanedCheckouts(commonDir: string, folders: string[]): Promise<string[]> {
  const adminRoot = path.join(commonDir, 'worktrees');
  const found: string[] = [];
  for (const folder of new Set(folders)) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const candidate = path.join(folder, name);
      const info = await stat(candidate).catch(() => null);
      if (!info?.isDirectory()) continue;
      const pointer = (await readFile(path.join(candidate, '.git'), 'utf8').catch(() => ''))
        .match(/^gitdir: (.*)$/m)?.[1]
        ?.trim();
      if (!pointer) continue;
      const admin = path.resolve(candidate, pointer);
      if (path.dirname(admin) === adminRoot && !(await pathExists(admin))) found.push(candidate);
    }
  }
  return found;
}

/**
 * Whether every file in `folder` is content the repository already has (an object in its database): then
 * deleting the folder loses nothing, whatever commit it was a checkout of.
 */
export async function holdsOnlyKnownContent(commonDir: string, folder: string): Promise<boolean> {
  const files = (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => path.relative(folder, file).split(path.sep)[0] !== '.git');
  if (files.length === 0) return true;
  const env = { ...process.env, GIT_DIR: commonDir };
  const hashes = await runGit(folder, ['hash-object', '--no-filters', '--stdin-paths'], {
    env,
    input: `${files.join('\n')}\n`,
  });
  const check = await runGit(folder, ['cat-file', '--batch-check'], { env, input: hashes.stdout });
  return !/ missing$/m.test(check.stdout);
}
