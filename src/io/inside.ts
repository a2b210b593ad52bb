import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../config/load.js';
import { UsageError } from '../errors.js';

/**
 * Nothing git-parallel writes into a candidate leaves it (issue 13 items 2 and 6). A candidate's tree
 * comes from its base commit, which a branch can fill with symlinks (`conf -> ~/elsewhere`); writing
 * `conf/.env` there would write outside the repository. So every path is resolved component by
 * component, symlinks included, in the candidate's own tree: a folder on the way that is a symlink
 * must resolve inside the candidate's worktree, or the write is refused.
 */
export interface InsidePath {
  /** The path to write, with the folders on the way resolved. */
  path: string;
  /** The last component exists and is a symlink (callers keep it, or refuse). */
  isSymlink: boolean;
  exists: boolean;
}

export async function resolveInside(root: string, relative: string, what: string): Promise<InsidePath> {
  const realRoot = await realpath(root);
  const parts = relative.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  let current = realRoot;
  for (const [index, part] of parts.entries()) {
    const next = path.join(current, part);
    const last = index === parts.length - 1;
    const stats = await lstat(next).catch(() => null);
    if (!stats) return { path: path.join(current, ...parts.slice(index)), isSymlink: false, exists: false };
    if (last) return { path: next, isSymlink: stats.isSymbolicLink(), exists: true };
    if (stats.isSymbolicLink()) {
      const resolved = await realpath(next).catch(() => null);
      if (!resolved || !isInside(resolved, realRoot)) {
        throw new UsageError(
          `${what}: ${parts.slice(0, index + 1).join('/')} in ${root} is a symlink to ${resolved ?? 'a missing path'}, outside the worktree; nothing was written through it`,
        );
      }
      current = resolved;
    } else {
      current = next;
    }
  }
  return { path: current, isSymlink: false, exists: true };
}

/** Like resolveInside, and the last component may not be a symlink either (a file that is written, not kept). */
export async function resolveFileInside(root: string, relative: string, what: string): Promise<string> {
  const resolved = await resolveInside(root, relative, what);
  if (resolved.isSymlink) {
    throw new UsageError(
      `${what}: ${relative} in ${root} is a symlink; git-parallel writes only regular files in a candidate`,
    );
  }
  return resolved.path;
}
