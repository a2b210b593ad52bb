import type { Stats } from 'node:fs';
import { chmod, copyFile, cp, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { compileGlob, type PathRule, parseWorktreeInclude, reachesInto, selects } from '../core/globs.js';
import type { FileEntry, FileSelection } from '../core/types.js';
import { UsageError } from '../errors.js';
import { run } from './exec.js';
import { pathExists, readIfExists } from './files.js';
import { ignoredEntries } from './git.js';
import { runGit } from './git-runner.js';
import { resolveInside } from './inside.js';

/**
 * The gitignored files a candidate needs from the main worktree (`.env`, local config): chosen once per
 * run from the `copy`/`link` globs and `.worktreeinclude`, then copied or linked into every candidate.
 *
 * Only files git ignores are taken: a tracked file is already in every worktree (and is never
 * overwritten), and an untracked file that is not ignored would show up as the candidate's own work
 * and could be committed by its agent.
 */
export type { FileEntry, FileSelection } from '../core/types.js';

export const WORKTREE_INCLUDE = '.worktreeinclude';

/** Compiles the config's copy/link globs; a pattern that leaves the repository is a usage error. */
export function compileFilePatterns(
  copy: readonly string[],
  link: readonly string[],
): { copy: PathRule[][]; link: PathRule[][] } {
  const compile = (setting: string, globs: readonly string[]) =>
    globs.map((glob) => {
      try {
        return compileGlob(glob);
      } catch (error) {
        throw new UsageError(`${setting}: ${(error as Error).message}`);
      }
    });
  return { copy: compile('copy', copy), link: compile('link', link) };
}

export async function selectFiles(
  mainRoot: string,
  settings: { copy: readonly string[]; link: readonly string[] },
  options: { skipFolders: readonly string[]; skipNodeModules?: boolean },
): Promise<FileSelection> {
  const compiled = compileFilePatterns(settings.copy, settings.link);
  const includeText = await readIfExists(path.join(mainRoot, WORKTREE_INCLUDE));
  const includeRules = includeText === null ? [] : parseWorktreeInclude(includeText);
  const copyRules = compiled.copy.flat();
  const linkRules = compiled.link.flat();
  if (copyRules.length + linkRules.length + includeRules.length === 0) return { entries: [], warnings: [] };

  const ignored = await ignoredEntries(mainRoot);
  const skip = options.skipFolders
    .map((folder) => path.relative(mainRoot, folder))
    .filter((rel) => rel && !rel.startsWith('..'));

  const chosen = new Map<string, FileEntry>();
  const consider = (relative: string, isDir: boolean): boolean => {
    // The candidates' own worktrees, when worktreeDir puts them inside the repository, are never copied.
    if (
      skip.some(
        (folder) =>
          folder === relative || folder.startsWith(`${relative}/`) || relative.startsWith(`${folder}/`),
      )
    )
      return false;
    const how = selects(linkRules, relative, isDir)
      ? 'link'
      : selects(copyRules, relative, isDir) || selects(includeRules, relative, isDir)
        ? 'copy'
        : null;
    // node_modules is the business of `deps` (a clone, hard links or an install): a copy of it would be
    // slow, and would make the install fail on what is already there (issue 13 item 16).
    if (how && options.skipNodeModules && /^node_modules(\/|$)/.test(relative)) {
      skippedNodeModules = true;
      return true;
    }
    if (how) chosen.set(relative, { path: relative, isDir, how });
    return how !== null;
  };
  let skippedNodeModules = false;
  // Inside a gitignored folder: a folder that `link` selects is linked whole (files added later on either
  // side are shared); anything else is looked at file by file, so `!` exclusions still apply to copies.
  const considerInside = async (folder: string): Promise<void> => {
    for (const dirent of await readdir(path.join(mainRoot, folder), { withFileTypes: true })) {
      const relative = `${folder}/${dirent.name}`;
      if (!dirent.isDirectory()) consider(relative, false);
      else if (selects(linkRules, relative, true))
        chosen.set(relative, { path: relative, isDir: true, how: 'link' });
      else await considerInside(relative);
    }
  };
  for (const entry of ignored) {
    const isDir = entry.endsWith('/');
    const relative = isDir ? entry.slice(0, -1) : entry;
    if (consider(relative, isDir) || !isDir) continue;
    // A gitignored folder is one entry; look inside only where a pattern names a path in it.
    const reaching = [...copyRules, ...linkRules, ...includeRules].filter((rule) =>
      reachesInto(rule, relative),
    );
    if (reaching.length > 0) await considerInside(relative);
  }

  const entries = [...chosen.values()].sort((a, b) => a.path.localeCompare(b.path));
  const warnings: string[] = [];
  if (skippedNodeModules)
    warnings.push(
      'node_modules is provided by deps (clone, hard links or an install), not by copy, link or .worktreeinclude',
    );
  for (const [setting, globs, rulesByGlob] of [
    ['copy', settings.copy, compiled.copy],
    ['link', settings.link, compiled.link],
  ] as const) {
    for (const [i, glob] of globs.entries()) {
      const rules = rulesByGlob[i]!;
      if (entries.some((e) => selects(rules, e.path, e.isDir))) continue;
      if (skippedNodeModules && selects(rules, 'node_modules', true)) continue;
      warnings.push(await unmatchedWarning(mainRoot, setting, glob));
    }
  }
  return { entries, warnings };
}

/** Why a pattern selected nothing, as far as can be told cheaply. */
async function unmatchedWarning(mainRoot: string, setting: string, glob: string): Promise<string> {
  const literal = !/[*?[{\\]/.test(glob);
  if (literal && (await pathExists(path.join(mainRoot, glob)))) {
    const tracked = (await runGit(mainRoot, ['ls-files', '--', glob], { check: false })).stdout.trim() !== '';
    return tracked
      ? `${setting}: ${glob} is tracked by git, so it is already in every worktree; nothing to copy`
      : `${setting}: ${glob} is not gitignored, so it is not copied (add it to .gitignore, so no agent commits it)`;
  }
  return `${setting}: ${JSON.stringify(glob)} matches no gitignored file in ${mainRoot}`;
}

/** Every file and symlink under a folder (relative paths), folders themselves not listed. */
async function walk(root: string, folder: string): Promise<{ path: string; isDir: boolean }[]> {
  const found: { path: string; isDir: boolean }[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const dirent of await readdir(path.join(root, current), { withFileTypes: true })) {
      const relative = `${current}/${dirent.name}`;
      if (dirent.isDirectory()) pending.push(relative);
      else found.push({ path: relative, isDir: false });
    }
  }
  return found;
}

export interface AppliedFiles {
  copied: number;
  linked: number;
  /** Paths that already existed in the worktree (tracked there) and were left alone. */
  kept: string[];
}

/**
 * Copies (keeping file modes and symlinks as symlinks) or links the selected files into one worktree.
 * Nothing that exists in the worktree is overwritten.
 */
export async function applyFiles(
  selection: FileSelection,
  mainRoot: string,
  worktree: string,
  options: { env: NodeJS.ProcessEnv; exclude?: ReadonlySet<string> },
): Promise<AppliedFiles> {
  const applied: AppliedFiles = { copied: 0, linked: 0, kept: [] };
  // Paths provided otherwise (a SQLite database's snapshot and its -wal/-shm files) are never copied.
  const exclude = options.exclude ?? new Set<string>();
  const excluded = (absolute: string) =>
    exclude.has(path.relative(mainRoot, absolute).split(path.sep).join('/'));
  for (const entry of selection.entries) {
    if (exclude.has(entry.path)) continue;
    const source = path.join(mainRoot, entry.path);
    // Resolved in the candidate's own tree: a committed symlink on the way must stay inside it.
    const resolved = await resolveInside(worktree, entry.path, entry.how);
    const target = resolved.path;
    const existing = resolved.exists ? await lstat(target) : null;
    if (existing && !(entry.isDir && existing.isDirectory() && entry.how === 'copy')) {
      applied.kept.push(entry.path);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    if (entry.how === 'link') {
      await symlink(source, target);
      applied.linked++;
    } else if (entry.isDir) {
      // Copying into a folder the candidate has already: every file's way in is checked first.
      if (existing) {
        for (const inner of await walk(mainRoot, entry.path))
          await resolveInside(worktree, inner.path, entry.how);
      }
      if (
        !existing &&
        process.platform === 'linux' &&
        ![...exclude].some((p) => p.startsWith(`${entry.path}/`))
      ) {
        // A new folder with nothing to leave out: GNU cp copies it in one process, about twice as fast as
        // Node's fs.cp on many small files, keeping modes, times, symlinks and holes (issue 13 item 16).
        await run('cp', ['-a', '--sparse=always', '--no-target-directory', '--', source, target], {
          cwd: path.dirname(target),
          env: options.env,
        });
        applied.copied++;
        continue;
      }
      const sparse: string[] = [];
      await cp(source, target, {
        recursive: true,
        force: false,
        errorOnExist: false,
        verbatimSymlinks: true,
        preserveTimestamps: true,
        filter: async (from) => {
          if (excluded(from)) return false;
          // Sparse files are copied afterwards, keeping their holes.
          const stats = await lstat(from);
          if (!isSparse(stats)) return true;
          sparse.push(from);
          return false;
        },
      });
      for (const from of sparse) {
        const to = path.join(target, path.relative(source, from));
        if (await pathExists(to)) continue;
        await copyOne(from, to, options.env);
      }
      applied.copied++;
    } else {
      await copyOne(source, target, options.env);
      applied.copied++;
    }
  }
  return applied;
}

async function copyOne(source: string, target: string, env: NodeJS.ProcessEnv): Promise<void> {
  const stats = await lstat(source);
  if (stats.isSymbolicLink()) {
    await symlink(await readlink(source), target);
    return;
  }
  await copyKeepingHoles(source, target, stats, env);
  // copyFile keeps the mode on Linux and macOS already; set it explicitly so an umask never narrows it.
  await chmod(target, stats.mode & 0o7777);
}

/** A file with holes: fewer blocks allocated than its size needs (a VM image, a preallocated database). */
function isSparse(stats: Stats): boolean {
  return stats.isFile() && stats.size > 0 && stats.blocks * 512 < stats.size;
}

/**
 * Copies one file, keeping a sparse file sparse (issue 13 item 12): Node's copyFile writes every hole
 * out as zeros (a 3 GB image with 1 MB of data took 3 GB per candidate). GNU cp finds the holes
 * (SEEK_HOLE) and leaves them; on other systems the copy is Node's.
 */
async function copyKeepingHoles(
  source: string,
  target: string,
  stats: Stats,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  if (process.platform === 'linux' && isSparse(stats)) {
    await run('cp', ['--sparse=always', '--no-target-directory', '--', source, target], {
      cwd: path.dirname(target),
      env,
    });
  } else {
    await copyFile(source, target);
  }
}

/**
 * Linked paths git does not ignore in the worktree. A folder ignored only as a folder (`.cache/` in
 * .gitignore) is a symlink in the candidate, which such a pattern does not match: it then shows up as
 * the candidate's untracked work, and the user is told how to write the pattern.
 */
export async function unignoredLinks(worktree: string, selection: FileSelection): Promise<string[]> {
  const linked = selection.entries.filter((e) => e.how === 'link').map((e) => e.path);
  if (linked.length === 0) return [];
  const result = await runGit(worktree, ['check-ignore', '--stdin', '-z'], {
    input: `${linked.join('\0')}\0`,
    check: false,
  });
  const ignored = new Set(result.stdout.split('\0').filter(Boolean));
  return linked.filter((p) => !ignored.has(p));
}
