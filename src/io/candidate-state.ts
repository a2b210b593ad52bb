import path from 'node:path';
import { mergeBaseFromSymmetric } from '../core/commit-graph.js';
import type { Candidate } from '../core/types.js';
import { pathExists } from './files.js';
import { resolveCommit } from './git.js';
import { runGit } from './git-runner.js';

/**
 * What compare must know about a candidate's git state beyond its content, read without changing
 * anything: where its HEAD is and on which branch, whether a merge or rebase is under way, which
 * submodules hold uncommitted work, and where its own work starts (the merge base with the base branch).
 */
export interface CandidateGitState {
  worktreeMissing: boolean;
  hasBranch: boolean;
  /** The commit the candidate's content sits on: the worktree's HEAD, or its branch without a worktree. */
  head: string | null;
  /** The branch the worktree is on (`refs/heads/…` stripped), null for a detached HEAD or no worktree. */
  worktreeBranch: string | null;
  /** A merge, rebase, cherry-pick or revert under way in the worktree. */
  operation: 'merge' | 'rebase' | 'cherry-pick' | 'revert' | null;
  /** Paths with unresolved conflicts in the worktree's index. */
  unmergedPaths: string[];
  /** Submodules whose own worktree has changes (their content is not in the snapshot). */
  dirtySubmodules: string[];
  /** Whether the HEAD contains the run's base commit. */
  containsBase: boolean;
  /** Whether the HEAD contains the base branch as it is now (false when that did not move, or is gone). */
  containsBaseNow: boolean;
  /** Where its own work starts: the merge base of its HEAD and the base branch as it is now. */
  countFrom: string;
  /** Uncommitted work in the worktree (`git status`): changed tracked paths and untracked files; null without one. */
  uncommitted: { changed: number; untracked: number } | null;
  /** The worktree's index file (where a snapshot starts from); null without a worktree. */
  indexFile: string | null;
}

const OPERATIONS: [string, CandidateGitState['operation']][] = [
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
];

/**
 * Read with few git processes, since compare reads every candidate (issue 18): one `rev-parse` in the
 * worktree answers its HEAD, its branch, the candidate's branch and where the operation files and the
 * index are; one `status --porcelain=v2` its conflicts, dirty submodules and uncommitted work; the merge
 * base is asked only when the HEAD is not the base itself.
 */
export async function readCandidateGitState(
  root: string,
  candidate: Candidate,
  runBase: string,
  baseNow: string | null,
): Promise<CandidateGitState> {
  const worktreeMissing = !(await pathExists(candidate.worktree));
  const wt = candidate.worktree;
  const target = baseNow ?? runBase;
  const moved = baseNow !== null && baseNow !== runBase;
  const bases = moved ? [target, runBase] : [target];
  const [where, status] = worktreeMissing
    ? [{ branchCommit: await resolveCommit(root, `refs/heads/${candidate.branch}`) }, null]
    : await Promise.all([worktreeRefs(wt, candidate.branch, bases), worktreeStatus(wt)]);
  const head = worktreeMissing ? where.branchCommit : (where.head ?? null);
  // The merge base with the base as it is now is where the candidate's own work starts; a HEAD contains a
  // commit exactly when their merge base is that commit. The worktree's rev-parse found them already,
  // unless it could not (then merge-base is asked).
  const mergeWith = (base: string, head: string) => {
    const known = where.mergeBases?.get(base);
    return head === base ? base : known !== undefined ? known : mergeBase(root, head, base);
  };
  const [countFrom, runBaseMerge] = await Promise.all([
    head === null ? runBase : mergeWith(target, head),
    head === null || !moved ? null : mergeWith(runBase, head),
  ]);
  return {
    worktreeMissing,
    hasBranch: where.branchCommit !== null,
    head,
    worktreeBranch: where.worktreeBranch ?? null,
    operation: where.operation ?? null,
    unmergedPaths: status?.unmergedPaths ?? [],
    dirtySubmodules: status?.dirtySubmodules ?? [],
    containsBase: head !== null && (moved ? runBaseMerge === runBase : countFrom === runBase),
    containsBaseNow: head !== null && moved && countFrom === baseNow,
    countFrom: countFrom ?? runBase,
    uncommitted: status?.uncommitted ?? null,
    indexFile: where.indexFile ?? null,
  };
}

interface WorktreeRefs {
  head: string | null;
  /** The HEAD's merge base with each of the bases asked (see mergeBaseFromSymmetric); empty when not read. */
  mergeBases: Map<string, string | null | undefined>;
  worktreeBranch: string | null;
  branchCommit: string | null;
  operation: CandidateGitState['operation'];
  indexFile: string;
}

/**
 * The worktree's HEAD commit and branch, the commit of the candidate's branch, the HEAD's merge base with
 * each of `bases` (`HEAD...<base>` lists them as `^<commit>`, issue 18: no `merge-base` process per
 * candidate), the operation under way and the index file, in one `rev-parse`; a HEAD without a commit or a
 * deleted branch makes that fail, and then each is asked on its own.
 */
async function worktreeRefs(worktree: string, branch: string, bases: string[]): Promise<WorktreeRefs> {
  const names = [...OPERATIONS.map(([name]) => name), 'index'];
  const gitPaths = names.flatMap((name) => ['--git-path', name]);
  const together = await runGit(
    worktree,
    [
      'rev-parse',
      'HEAD^{commit}',
      `refs/heads/${branch}^{commit}`,
      ...bases.map((base) => `HEAD...${base}`),
      '--symbolic-full-name',
      'HEAD',
      ...gitPaths,
    ],
    { check: false },
  );
  let head: string | null;
  let branchCommit: string | null;
  let symbolic: string;
  let paths: string[];
  const mergeBases = new Map<string, string | null | undefined>();
  if (together.exitCode === 0) {
    const lines = together.stdout.split('\n').map((line) => line.trim());
    [head = null, branchCommit = null] = lines;
    let at = 2;
    for (const base of bases) {
      // `HEAD...<base>` prints the two ends, then one `^<commit>` per merge base.
      at += 2;
      const excluded: string[] = [];
      while (lines[at]?.startsWith('^')) excluded.push(lines[at++]!);
      mergeBases.set(base, mergeBaseFromSymmetric(excluded));
    }
    [symbolic = 'HEAD', ...paths] = lines.slice(at);
  } else {
    [head, branchCommit, symbolic, paths] = await Promise.all([
      resolveCommit(worktree, 'HEAD'),
      resolveCommit(worktree, `refs/heads/${branch}`),
      runGit(worktree, ['symbolic-ref', '--quiet', 'HEAD'], { check: false }).then((r) =>
        r.exitCode === 0 ? r.stdout.trim() : 'HEAD',
      ),
      runGit(worktree, ['rev-parse', ...gitPaths]).then((r) => r.stdout.split('\n').map((l) => l.trim())),
    ]);
  }
  const files = paths.slice(0, names.length).map((file) => path.resolve(worktree, file));
  let operation: CandidateGitState['operation'] = null;
  for (const [i, [, name]] of OPERATIONS.entries()) {
    if (await pathExists(files[i]!)) {
      operation = name;
      break;
    }
  }
  return {
    head,
    mergeBases,
    branchCommit,
    worktreeBranch: symbolic.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : null,
    operation,
    indexFile: files[names.length - 1]!,
  };
}

/**
 * `status --porcelain=v2`, read-only: unmerged entries (`u`) are the conflicts; a submodule entry's third
 * field is `S<c><m><u>`, where m or u mean work inside it; every entry but `?` is an uncommitted change,
 * as `status --porcelain=v1 --no-renames` counts them.
 */
async function worktreeStatus(worktree: string): Promise<{
  unmergedPaths: string[];
  dirtySubmodules: string[];
  uncommitted: { changed: number; untracked: number };
}> {
  const result = await runGit(worktree, [
    '--no-optional-locks',
    'status',
    '--porcelain=v2',
    '-z',
    '--no-renames',
    '--untracked-files=all',
    '--ignore-submodules=none',
  ]);
  const dirty: string[] = [];
  const unmerged = new Set<string>();
  let changed = 0;
  let untracked = 0;
  const fields = result.stdout.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry === '') continue;
    if (entry.startsWith('2 ')) i++; // a rename's original path follows as its own field
    if (entry.startsWith('? ')) {
      untracked++;
      continue;
    }
    if (entry.startsWith('! ')) continue;
    changed++;
    const parts = entry.split(' ');
    // "u <XY> <sub> <m1> <m2> <m3> <mW> <h1> <h2> <h3> <path>"
    if (entry.startsWith('u ')) unmerged.add(parts.slice(10).join(' '));
    const sub = parts[2];
    if (
      (entry.startsWith('1 ') || entry.startsWith('2 ')) &&
      sub?.startsWith('S') &&
      /[MU]/.test(sub.slice(2))
    ) {
      dirty.push(parts.slice(entry.startsWith('1 ') ? 8 : 9).join(' '));
    }
  }
  return { unmergedPaths: [...unmerged], dirtySubmodules: dirty, uncommitted: { changed, untracked } };
}

async function mergeBase(cwd: string, a: string, b: string): Promise<string | null> {
  const result = await runGit(cwd, ['merge-base', a, b], { check: false });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** The result of merging a candidate into the base branch as it is now, computed without changing anything. */
export interface TrialMerge {
  clean: boolean;
  /** Paths with conflicts (empty when clean). */
  conflicts: string[];
}

/**
 * Merges the candidate's content (its snapshot tree, as a commit on its HEAD) into `base` with
 * `git merge-tree --write-tree` (git 2.38 and later): it writes only objects — no ref, no index, no
 * worktree file — so the repository stays as it was. Null when git is too old to do so.
 */
export async function trialMerge(
  root: string,
  base: string,
  head: string,
  tree: string,
): Promise<TrialMerge | null> {
  const identity = {
    ...process.env,
    GIT_AUTHOR_NAME: 'git-parallel',
    GIT_AUTHOR_EMAIL: 'git-parallel@localhost',
    GIT_COMMITTER_NAME: 'git-parallel',
    GIT_COMMITTER_EMAIL: 'git-parallel@localhost',
  };
  const commit = (
    await runGit(root, ['commit-tree', tree, '-p', head, '-m', 'git-parallel trial merge'], { env: identity })
  ).stdout.trim();
  const result = await runGit(
    root,
    ['merge-tree', '--write-tree', '-z', '--name-only', '--no-messages', base, commit],
    {
      check: false,
    },
  );
  if (result.exitCode === 0) return { clean: true, conflicts: [] };
  if (result.exitCode === 1) {
    const [, ...conflicts] = result.stdout.split('\0').filter(Boolean);
    return { clean: false, conflicts: [...new Set(conflicts)] };
  }
  if (/usage|unknown option/i.test(result.stderr)) return null;
  throw new Error(`git merge-tree failed: ${result.stderr.trim()}`);
}

/**
 * The submodule paths registered in a tree's .gitmodules. `worktree`: the tree is that worktree's
 * snapshot, which holds a .gitmodules only when the worktree has one, so without the file no git is run.
 */
export async function submodulePaths(cwd: string, tree: string, worktree?: string): Promise<Set<string>> {
  if (worktree !== undefined && !(await pathExists(path.join(worktree, '.gitmodules')))) return new Set();
  const result = await runGit(
    cwd,
    ['config', '-z', '--blob', `${tree}:.gitmodules`, '--get-regexp', '^submodule\\..*\\.path$'],
    {
      check: false,
    },
  );
  if (result.exitCode !== 0) return new Set();
  return new Set(
    result.stdout
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(entry.indexOf('\n') + 1)),
  );
}
