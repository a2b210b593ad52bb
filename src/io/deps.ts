import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import path from 'node:path';
import { createLimiter } from '../core/concurrency.js';
import { chooseDeps, type DepsFacts, type DepsPlan } from '../core/deps-method.js';
import {
  PACKAGE_FILES,
  type PackageFiles,
  type PackageManagerChoice,
  packageManagerOf,
} from '../core/package-manager.js';
import { run } from './exec.js';
import { pathExists } from './files.js';
import { fileAtCommit, filesAtCommit, isIgnored } from './git.js';

/**
 * Dependencies for a new worktree, without paying for a full install when the main worktree already
 * has them. `deps: "auto"` picks the fastest method that keeps every candidate's node_modules its own:
 *
 * 1. clone: a copy-on-write copy (`cp --reflink=always` on Linux btrfs/XFS, `cp -c` (clonefile) on
 *    macOS APFS). Near-instant, no extra disk until a file changes, and fully independent: a write to
 *    any file, in place or not, changes only that candidate's copy.
 * 2. hard links, where the file system cannot clone (ext4, for one): folders are created anew, files
 *    are hard-linked to the main worktree's, except in packages with an install script or a native
 *    build (binding.gyp), which are copied: `npm rebuild` runs those scripts again, and they may rewrite
 *    their own files in place. Fast (one link per file), no extra disk for file contents.
 *    Independence rests on how installs write: npm, pnpm, yarn and bun never write into an installed
 *    package's files; they remove a package folder and unpack a fresh one (new files, new inodes), so an
 *    install in one candidate leaves the files the others share untouched (test: "an npm install in one
 *    candidate changes no other candidate's files"). The files package managers DO rewrite in place —
 *    their bookkeeping at the top of node_modules (`.package-lock.json`, `.modules.yaml`,
 *    `.yarn-integrity`, `.yarn-state.yml`, `.pnpm/lock.yaml`) — are copied, not linked, and tool caches
 *    (`node_modules/.cache`, `.vite`) are left out, since build tools rewrite them in place. The one way
 *    to reach another candidate is to edit a package file in place by hand (an editor, patch-package
 *    without reinstalling); pnpm's store has the same property. Projects that patch node_modules in place
 *    should use `deps: "install"`.
 * 3. the package manager, when the main worktree has no node_modules, its lockfile differs from the
 *    candidate's, or the worktree is on another file system: `npm ci`, `pnpm install --frozen-lockfile`,
 *    `yarn install --frozen-lockfile`/`--immutable`, `bun install --frozen-lockfile`.
 */
export type { DepsMethod, DepsPlan } from '../core/deps-method.js';

/** Bookkeeping files package managers rewrite in place: copied, never linked. */
const REWRITTEN_IN_PLACE = new Set([
  '.package-lock.json',
  '.modules.yaml',
  '.yarn-integrity',
  '.yarn-state.yml',
  '.pnpm/lock.yaml',
]);
/** Tool caches rewritten in place: each candidate builds its own. */
const LEFT_OUT = new Set(['.cache', '.vite', '.vite-temp']);

/** The package files of a folder (the main worktree, for init and trust). */
export async function readPackageFiles(root: string): Promise<PackageFiles> {
  const files = new Set<string>();
  for (const name of PACKAGE_FILES) if (await pathExists(path.join(root, name))) files.add(name);
  const packageJson = files.has('package.json')
    ? await readFile(path.join(root, 'package.json'), 'utf8').catch(() => null)
    : null;
  return { files, packageJson };
}

export async function readPackageManager(root: string): Promise<PackageManagerChoice | null> {
  return packageManagerOf(await readPackageFiles(root));
}

/** The package files of a commit, each with its object id: two git calls (one without a package.json). */
export async function readPackageFilesAtCommit(
  mainRoot: string,
  commit: string,
): Promise<PackageFiles & { ids: ReadonlyMap<string, string> }> {
  const ids = await filesAtCommit(mainRoot, commit, PACKAGE_FILES);
  const packageJson = ids.has('package.json') ? await fileAtCommit(mainRoot, commit, 'package.json') : null;
  return { files: new Set(ids.keys()), packageJson, ids };
}

/**
 * Decides once per run, before any worktree exists, how candidates get node_modules: the candidates' side
 * is the base commit's package files (every candidate is checked out from it; `worktree` is where the
 * first one will be, for its file system), so the dry run shows the method the run uses. Reads of the main
 * worktree and one check-ignore; the clone probe (one `cp`) only when the choice comes down to it.
 */
export async function planDeps(
  mode: 'auto' | 'install' | 'none',
  mainRoot: string,
  base: PackageFiles & { ids: ReadonlyMap<string, string> },
  worktree: string,
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): Promise<DepsPlan> {
  const facts: DepsFacts = {
    mode,
    base,
    nodeModulesIgnored: false,
    mainHasNodeModules: false,
    sameLockfile: false,
    staleNodeModules: null,
    sameFileSystem: false,
    canClone: false,
  };
  const choice = packageManagerOf(base);
  if (mode === 'none' || !choice) return chooseDeps(facts);
  const source = path.join(mainRoot, 'node_modules');
  const sourceStats = await stat(source).catch(() => null);
  const lockId = choice.lockfile ? base.ids.get(choice.lockfile) : undefined;
  const mainLock =
    choice.lockfile && lockId ? await readFile(path.join(mainRoot, choice.lockfile)).catch(() => null) : null;
  const place = await nearestExisting(worktree);
  facts.nodeModulesIgnored = await isIgnored(mainRoot, 'node_modules/');
  facts.mainHasNodeModules = sourceStats?.isDirectory() ?? false;
  facts.sameLockfile =
    mainLock !== null && lockId !== undefined && blobId(mainLock, lockId.length) === lockId;
  facts.staleNodeModules = sourceStats ? await staleNodeModules(mainRoot, choice) : null;
  facts.sameFileSystem = sourceStats !== null && (await stat(place)).dev === sourceStats.dev;
  const plan = chooseDeps(facts);
  if (plan.method !== 'hardlink') return plan;
  return chooseDeps({ ...facts, canClone: await canClone(source, place, platform, env) });
}

/** The git object id of a file's content (sha-1, or sha-256 in a repository that uses it). */
function blobId(content: Buffer, idLength: number): string {
  return createHash(idLength === 64 ? 'sha256' : 'sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

/** The folder itself, or its closest parent that exists: where a worktree not made yet will live. */
async function nearestExisting(folder: string): Promise<string> {
  let current = folder;
  while (!(await pathExists(current)) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/** What each package manager leaves in node_modules after an install (its record of what it installed). */
const INSTALL_MARKERS: Record<PackageManagerChoice['name'], string[]> = {
  npm: ['.package-lock.json'],
  pnpm: ['.modules.yaml', '.pnpm/lock.yaml'],
  yarn: ['.yarn-integrity', '.yarn-state.yml'],
  bun: [],
};

/**
 * Why the main worktree's node_modules does not match its lockfile (the lockfile changed, by a pull or
 * a branch switch, and nobody reinstalled), or null when it matches: then it must not be shared, since
 * candidates would fail to `require` the new dependency (issue 13 item 10). npm's own record
 * (`node_modules/.package-lock.json`) is compared package by package with the lockfile; for the others,
 * a lockfile newer than the package manager's record, or no record at all, counts as stale.
 */
export async function staleNodeModules(
  mainRoot: string,
  choice: PackageManagerChoice,
): Promise<string | null> {
  if (!choice.lockfile) return null;
  const lockfile = path.join(mainRoot, choice.lockfile);
  const stale = `the main worktree's node_modules does not match its ${choice.lockfile} (changed since the last install)`;
  if (choice.name === 'npm') {
    const [lock, installed] = await Promise.all([
      readFile(lockfile, 'utf8').catch(() => null),
      readFile(path.join(mainRoot, 'node_modules', '.package-lock.json'), 'utf8').catch(() => null),
    ]);
    if (lock === null || installed === null) return stale;
    try {
      return samePackages(JSON.parse(lock), JSON.parse(installed)) ? null : stale;
    } catch {
      return stale;
    }
  }
  const markers = INSTALL_MARKERS[choice.name];
  const times = await Promise.all(
    markers.map((m) =>
      stat(path.join(mainRoot, 'node_modules', m)).then(
        (s) => s.mtimeMs,
        () => null,
      ),
    ),
  );
  const recorded = times.filter((t): t is number => t !== null);
  if (recorded.length === 0) return markers.length === 0 ? null : stale;
  const lockTime = (await stat(lockfile)).mtimeMs;
  return lockTime > Math.max(...recorded) ? stale : null;
}

type NpmLock = { packages?: Record<string, { version?: string; optional?: boolean; link?: boolean }> };

/** Every package the lockfile names is installed at its version, and nothing else is. */
function samePackages(lock: NpmLock, installed: NpmLock): boolean {
  const wanted = Object.entries(lock.packages ?? {}).filter(([key]) => key !== '');
  const have = installed.packages ?? {};
  for (const [key, entry] of wanted) {
    const present = have[key];
    // Optional packages for other platforms (esbuild's binaries) are never installed.
    if (!present) {
      if (entry.optional) continue;
      return false;
    }
    if ((present.version ?? null) !== (entry.version ?? null)) return false;
  }
  const names = new Set(wanted.map(([key]) => key));
  return Object.keys(have).every((key) => key === '' || names.has(key));
}

/** Tries a copy-on-write copy of one file into the worktree; true when the file system supports it. */
export async function canClone(
  nodeModules: string,
  worktree: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  if (platform !== 'linux' && platform !== 'darwin') return false;
  const sample = await firstFile(nodeModules);
  if (!sample) return false;
  const probe = path.join(worktree, `.git-parallel-clone-probe-${process.pid}`);
  const args = platform === 'linux' ? ['--reflink=always', sample, probe] : ['-c', sample, probe];
  try {
    const result = await run('cp', args, { cwd: worktree, env, check: false });
    return result.exitCode === 0;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
  }
}

async function firstFile(folder: string, depth = 0): Promise<string | null> {
  if (depth > 4) return null;
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isFile()) return path.join(folder, entry.name);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const found = await firstFile(path.join(folder, entry.name), depth + 1);
    if (found) return found;
  }
  return null;
}

/** A copy-on-write clone of the main worktree's node_modules into the worktree. */
export async function cloneNodeModules(
  mainRoot: string,
  worktree: string,
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): Promise<void> {
  const source = path.join(mainRoot, 'node_modules');
  const target = path.join(worktree, 'node_modules');
  const args =
    platform === 'linux' ? ['-a', '--reflink=always', source, target] : ['-c', '-R', '-p', source, target];
  await run('cp', args, { cwd: worktree, env });
}

export interface LinkedTree {
  files: number;
  linked: number;
  copied: number;
}

/**
 * The hard-link copy: new folders, hard-linked files, symlinks recreated (an absolute one that points
 * into the source tree is pointed at the same place in the new tree), bookkeeping files copied and tool
 * caches left out (see the top of this file).
 */
export async function hardLinkNodeModules(mainRoot: string, worktree: string): Promise<LinkedTree> {
  const source = path.join(mainRoot, 'node_modules');
  const target = path.join(worktree, 'node_modules');
  const counts: LinkedTree = { files: 0, linked: 0, copied: 0 };
  const limit = createLimiter(64);

  const copyFolder = async (relative: string, copying: boolean): Promise<void> => {
    const from = path.join(source, relative);
    const to = path.join(target, relative);
    const [stats, entries] = await limit(
      async () => [await stat(from), await readdir(from, { withFileTypes: true })] as const,
    );
    await mkdir(to, { mode: stats.mode & 0o7777 });
    // A package with an install script (or a native build) may rewrite its own files in place when
    // rebuilt (`npm rebuild`, `pnpm rebuild`): its folder is copied, so a rebuild in one candidate never
    // reaches another's files or the main worktree's (issue 13 item 8).
    const copyHere = copying || (await limit(() => writesInPlace(from, entries)));
    await Promise.all(
      entries.map(async (entry) => {
        const inner = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) {
          if (relative === '' && LEFT_OUT.has(entry.name)) return;
          return copyFolder(inner, copyHere);
        }
        await limit(() => copyEntry(inner, entry.isSymbolicLink(), copyHere));
      }),
    );
  };
  const copyEntry = async (relative: string, isSymlink: boolean, copying: boolean): Promise<void> => {
    const from = path.join(source, relative);
    const to = path.join(target, relative);
    if (isSymlink) {
      const pointee = await readlink(from);
      const inside = path.isAbsolute(pointee) && !path.relative(source, pointee).startsWith('..');
      await symlink(inside ? path.join(target, path.relative(source, pointee)) : pointee, to);
      return;
    }
    counts.files++;
    if (copying || REWRITTEN_IN_PLACE.has(relative)) {
      await copyFile(from, to);
      await chmod(to, (await lstat(from)).mode & 0o7777);
      counts.copied++;
      return;
    }
    try {
      await link(from, to);
      counts.linked++;
    } catch (error) {
      // EMLINK: the file has as many links as the file system allows; this one gets a copy.
      if ((error as NodeJS.ErrnoException).code !== 'EMLINK') throw error;
      await copyFile(from, to);
      counts.copied++;
    }
  };
  await copyFolder('', false);
  return counts;
}

/** Whether a package folder has an install script or a native build (binding.gyp: npm runs node-gyp). */
async function writesInPlace(folder: string, entries: readonly Dirent[]): Promise<boolean> {
  if (!entries.some((e) => e.name === 'package.json' && e.isFile())) return false;
  if (entries.some((e) => e.name === 'binding.gyp')) return true;
  try {
    const scripts = (
      JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8')) as {
        scripts?: Record<string, unknown>;
      }
    ).scripts;
    return ['preinstall', 'install', 'postinstall'].some((name) => typeof scripts?.[name] === 'string');
  } catch {
    return false;
  }
}

/** Removes a half-made node_modules after a failed clone or link, so the package manager starts clean. */
export async function removeNodeModules(worktree: string): Promise<void> {
  await rm(path.join(worktree, 'node_modules'), { recursive: true, force: true });
}

/** Whether a path is a hard link shared with another path (same inode): for tests and the benchmark. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([lstat(a), lstat(b)]);
  return x.ino === y.ino && x.dev === y.dev;
}
