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
import { choosePackageManager, LOCKFILES, type PackageManagerChoice } from '../core/package-manager.js';
import { run } from './exec.js';
import { pathExists } from './files.js';
import { runGit } from './git-runner.js';

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
export type DepsMethod = 'clone' | 'hardlink' | 'install' | 'none';

export interface DepsPlan {
  method: DepsMethod;
  /** Why this method, for the progress line and --verbose readers. */
  reason: string;
  choice: PackageManagerChoice | null;
  /** A line the user should see (a project whose dependencies cannot be provided). */
  warning?: string;
}

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

/** Whether package.json declares anything to install (a project without dependencies needs no install). */
export async function declaresDependencies(root: string): Promise<boolean> {
  try {
    const parsed = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    return ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].some(
      (key) => typeof parsed[key] === 'object' && parsed[key] !== null && Object.keys(parsed[key]).length > 0,
    );
  } catch {
    // A package.json that does not parse: let the package manager say so.
    return true;
  }
}

export async function readPackageManager(root: string): Promise<PackageManagerChoice | null> {
  const names = ['package.json', '.yarnrc.yml', ...LOCKFILES.map((l) => l.file)];
  const files = new Set<string>();
  for (const name of names) if (await pathExists(path.join(root, name))) files.add(name);
  let packageManagerField: string | null = null;
  if (files.has('package.json')) {
    try {
      const parsed = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
        packageManager?: unknown;
      };
      packageManagerField = typeof parsed.packageManager === 'string' ? parsed.packageManager : null;
    } catch {
      // A package.json that does not parse: the package manager will say so when it runs.
    }
  }
  return choosePackageManager({ files, packageManagerField });
}

/**
 * Decides once per run how candidates get node_modules. `worktree` is one candidate's worktree (all of a
 * run's worktrees come from the same commit, so their lockfiles are the same).
 */
export async function planDeps(
  mode: 'auto' | 'install' | 'none',
  mainRoot: string,
  worktree: string,
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): Promise<DepsPlan> {
  if (mode === 'none') return { method: 'none', reason: 'deps is "none"', choice: null };
  const choice = await readPackageManager(worktree);
  if (!choice) return { method: 'none', reason: 'no package.json', choice: null };
  // Preparing must leave `git status` empty: a node_modules git does not ignore would be every agent's work.
  if (
    (await runGit(worktree, ['check-ignore', '-q', '--', 'node_modules/'], { check: false })).exitCode !== 0
  ) {
    return {
      method: 'none',
      reason: 'node_modules is not gitignored',
      choice,
      warning:
        "node_modules is not gitignored, so the candidates get no dependencies (they would show as every agent's work); add node_modules/ to .gitignore",
    };
  }
  if (!choice.lockfile && !(await declaresDependencies(worktree)))
    return { method: 'none', reason: 'package.json declares no dependencies', choice };
  if (choice.install === null) {
    return {
      method: 'none',
      reason: `${choice.name} cannot install without writing a lockfile`,
      choice,
      warning: `the project has no lockfile and ${choice.name} cannot install without writing one; the candidates get no node_modules (commit a lockfile, or install in setup)`,
    };
  }
  if (mode === 'install') return { method: 'install', reason: 'deps is "install"', choice };
  const source = path.join(mainRoot, 'node_modules');
  const sourceStats = await stat(source).catch(() => null);
  if (!sourceStats?.isDirectory())
    return { method: 'install', reason: 'the main worktree has no node_modules', choice };
  if (!choice.lockfile) return { method: 'install', reason: 'the project has no lockfile', choice };
  const [mainLock, candidateLock] = await Promise.all([
    readFile(path.join(mainRoot, choice.lockfile)).catch(() => null),
    readFile(path.join(worktree, choice.lockfile)).catch(() => null),
  ]);
  if (!mainLock || !candidateLock || !mainLock.equals(candidateLock)) {
    return { method: 'install', reason: `${choice.lockfile} differs from the main worktree's`, choice };
  }
  const stale = await staleNodeModules(mainRoot, choice);
  if (stale) return { method: 'install', reason: stale, choice };
  if ((await stat(worktree)).dev !== sourceStats.dev) {
    return {
      method: 'install',
      reason: 'the worktrees are on another file system than the main worktree',
      choice,
    };
  }
  if (await canClone(source, worktree, platform, env))
    return { method: 'clone', reason: 'copy-on-write clone', choice };
  return { method: 'hardlink', reason: 'hard links; this file system cannot clone', choice };
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
