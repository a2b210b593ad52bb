import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { splitStdinDiffs, stdinPairHeader } from '../core/diff-batch.js';
import { runGit } from './git-runner.js';

/**
 * What a worktree holds right now, read without changing it.
 *
 * `snapshotTree(worktree)` returns the id of a git tree object for "the worktree as it is now":
 * committed work, staged and unstaged changes, and untracked files that are not ignored — what
 * `git add -A && git commit` would record, without doing either. It is built in a TEMPORARY index
 * (`GIT_INDEX_FILE` pointing into a temporary folder), so the worktree's files, its real index and its
 * HEAD are never written; the only lasting effect is new objects in the object store, which are
 * unreachable and go away with git's normal garbage collection.
 *
 * The temporary index starts as a copy of the worktree's real index (with the same modification time)
 * rather than as `git read-tree HEAD`:
 *   - speed: the copy keeps git's per-file stat cache, so `git add -A` re-hashes only the files that
 *     changed instead of every file in the worktree;
 *   - fidelity: what the user staged counts as they staged it (a `git rm --cached` file stays removed, a
 *     force-added ignored file stays in);
 *   - the modification time is kept because git decides which cached entries are "racy" (changed within
 *     the same timestamp tick as the index was written) by comparing them with the index file's mtime; a
 *     fresh mtime would hide such a change.
 * When the worktree has no index yet, the snapshot starts from `git read-tree HEAD`.
 *
 * Used by `compare`, `diff` and (later) archives. Nothing here depends on a run.
 */
export async function snapshotTree(worktree: string, options: { indexFile?: string } = {}): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'git-parallel-snapshot-'));
  const temporaryIndex = path.join(scratch, 'index');
  // core.splitIndex=false: a split index would make git write a shared-index file into the git dir.
  const config = ['-c', 'core.splitIndex=false'];
  const env = { ...process.env, GIT_INDEX_FILE: temporaryIndex, GIT_OPTIONAL_LOCKS: '0' };
  try {
    // A caller that has read where the index is (compare, in the rev-parse it makes anyway) saves a process.
    const realIndex =
      options.indexFile ??
      path.resolve(worktree, (await runGit(worktree, ['rev-parse', '--git-path', 'index'])).stdout.trim());
    const copied = await copyPreservingTimes(realIndex, temporaryIndex);
    if (
      !copied &&
      (await runGit(worktree, ['rev-parse', '--verify', '--quiet', 'HEAD'], { check: false })).exitCode === 0
    ) {
      await runGit(worktree, [...config, 'read-tree', 'HEAD'], { env });
    }
    // `add --all` without a pathspec covers the whole worktree, whatever folder it runs in.
    await runGit(worktree, [...config, 'add', '--all'], { env });
    return (await runGit(worktree, [...config, 'write-tree'], { env })).stdout.trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The tree a commit-ish points at (for a candidate whose worktree is gone but whose branch is left). */
export async function treeOfCommit(cwd: string, commitish: string): Promise<string | null> {
  const result = await runGit(
    cwd,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${commitish}^{tree}`],
    {
      check: false,
    },
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** How much uncommitted work a worktree holds: changed tracked paths (staged or not) and untracked files. */
export interface WorktreeChanges {
  changed: number;
  untracked: number;
}

/**
 * `git status --porcelain`, read-only: `--no-optional-locks` stops git from refreshing and rewriting
 * the index as a side effect of looking (plain `git status` does that when stat data is stale).
 */
export async function readWorktreeChanges(worktree: string): Promise<WorktreeChanges> {
  const result = await runGit(worktree, [
    '--no-optional-locks',
    'status',
    '--porcelain=v1',
    '-z',
    '--no-renames',
    '--untracked-files=all',
  ]);
  const entries = result.stdout.split('\0').filter((entry) => entry.length > 0);
  const untracked = entries.filter((entry) => entry.startsWith('?? ')).length;
  return { changed: entries.length - untracked, untracked };
}

async function copyPreservingTimes(from: string, to: string): Promise<boolean> {
  let times: { atime: Date; mtime: Date };
  try {
    times = await stat(from);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await copyFile(from, to);
  // Millisecond precision rounds the mtime down, which can only make more entries racy (re-hashed): safe.
  await utimes(to, times.atime, times.mtime);
  return true;
}

/**
 * Per-file records between two trees (or commits): status, modes, blob ids and line counts. `diff-tree`
 * is plumbing, so the user's diff settings (external diff tools, colour, prefixes) cannot change them;
 * -M -C detect renames and copies as `git diff -M -C` does, so a moved file counts as what changed in
 * it, not as a whole deletion and addition. Parse with parseRawNumstatZ.
 */
export async function diffFiles(cwd: string, from: string, to: string): Promise<string> {
  return (await runGit(cwd, ['diff-tree', '-r', '-z', '-M', '-C', '--raw', '--numstat', from, to])).stdout;
}

/**
 * diffFiles and diffPatch of the same two trees in one git process (compare reads both for every
 * candidate): with -z, git writes the raw and numstat records, an empty record, then the patch, whose text
 * -z does not change. The records never hold two NULs in a row, so the first pair ends them.
 */
export async function diffFilesAndPatch(
  cwd: string,
  from: string,
  to: string,
): Promise<{ files: string; patch: string }> {
  return splitFilesAndPatch((await runGit(cwd, [...FILES_AND_PATCH, from, to])).stdout);
}

const FILES_AND_PATCH = ['diff-tree', '-r', '-z', '-M', '-C', '--raw', '--numstat', '-p', '--no-color'];

function splitFilesAndPatch(out: string): { files: string; patch: string } {
  const end = out.indexOf('\0\0');
  return end === -1 ? { files: out, patch: '' } : { files: out.slice(0, end + 1), patch: out.slice(end + 2) };
}

/**
 * diffFilesAndPatch for many pairs of trees (trees, not commits: `--stdin` reads a commit as "a commit
 * and its parents"), in one `diff-tree --stdin` (issue 18). The same output as one call per pair, as
 * long as the pairs' diffs would read the same attributes in `cwd`; null when git's output does not split.
 */
export async function diffFilesAndPatchEach(
  cwd: string,
  pairs: [string, string][],
): Promise<{ files: string; patch: string }[] | null> {
  const out = await runGit(cwd, [...FILES_AND_PATCH.slice(0, 1), '--stdin', ...FILES_AND_PATCH.slice(1)], {
    input: pairs.map(([from, to]) => stdinPairHeader(from, to)).join(''),
  });
  return splitStdinDiffs(out.stdout, pairs, true)?.map(splitFilesAndPatch) ?? null;
}

/** diffPatch with whitespace ignored for many pairs of trees, in one `diff-tree --stdin` (see above). */
export async function diffPatchIgnoringWhitespaceEach(
  cwd: string,
  pairs: [string, string][],
): Promise<string[] | null> {
  const out = await runGit(cwd, ['diff-tree', '--stdin', '-r', '-p', '-M', '-C', '--no-color', '-w'], {
    input: pairs.map(([from, to]) => stdinPairHeader(from, to)).join(''),
  });
  return splitStdinDiffs(out.stdout, pairs, false);
}

/** The tree of each commit (full ids), in one `rev-parse`; null when one of them is not a commit git has. */
export async function treesOfCommits(cwd: string, commits: string[]): Promise<Map<string, string> | null> {
  if (commits.length === 0) return new Map();
  const result = await runGit(cwd, ['rev-parse', ...commits.map((c) => `${c}^{tree}`)], {
    check: false,
  });
  const trees = result.stdout.split('\n').filter(Boolean);
  if (result.exitCode !== 0 || trees.length !== commits.length) return null;
  return new Map(commits.map((c, i) => [c, trees[i]!]));
}

/** The full patch between two trees (or commits), in git's own format, for the statistics and the report. */
export async function diffPatch(
  cwd: string,
  from: string,
  to: string,
  options: { ignoreWhitespace?: boolean; paths?: string[] } = {},
): Promise<string> {
  const args = ['diff-tree', '-r', '-p', '-M', '-C', '--no-color'];
  if (options.ignoreWhitespace) args.push('-w');
  args.push(from, to);
  if (options.paths) args.push('--', ...options.paths);
  return (await runGit(cwd, args)).stdout;
}

/** The size in bytes of each blob (`git cat-file --batch-check`), in one call. */
export async function blobSizes(cwd: string, blobs: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (blobs.length === 0) return sizes;
  const result = await runGit(cwd, ['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
    input: `${blobs.join('\n')}\n`,
  });
  for (const line of result.stdout.split('\n')) {
    const [id, size] = line.split(' ');
    if (id && size && /^\d+$/.test(size)) sizes.set(id, Number(size));
  }
  return sizes;
}
