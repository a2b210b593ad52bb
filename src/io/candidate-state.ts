import path from 'node:path';
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
}

const OPERATIONS: [string, CandidateGitState['operation']][] = [
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
];

export async function readCandidateGitState(
  root: string,
  candidate: Candidate,
  runBase: string,
  baseNow: string | null,
): Promise<CandidateGitState> {
  const worktreeMissing = !(await pathExists(candidate.worktree));
  const branchCommit = await resolveCommit(root, `refs/heads/${candidate.branch}`);
  const wt = candidate.worktree;
  const [head, worktreeBranch, operation, unmergedPaths, dirtySubmodules] = worktreeMissing
    ? [branchCommit, null, null, [], []]
    : await Promise.all([
        resolveCommit(wt, 'HEAD'),
        symbolicHead(wt),
        operationInProgress(wt),
        unmerged(wt),
        submodulesWithChanges(wt),
      ]);
  const [containsBase, containsBaseNow] = await Promise.all([
    head !== null && isAncestor(root, runBase, head),
    head !== null && baseNow !== null && baseNow !== runBase && isAncestor(root, baseNow, head),
  ]);
  const target = baseNow ?? runBase;
  const countFrom = head === null ? runBase : ((await mergeBase(root, head, target)) ?? runBase);
  return {
    worktreeMissing,
    hasBranch: branchCommit !== null,
    head,
    worktreeBranch,
    operation,
    unmergedPaths,
    dirtySubmodules,
    containsBase,
    containsBaseNow,
    countFrom,
  };
}

async function symbolicHead(worktree: string): Promise<string | null> {
  const result = await runGit(worktree, ['symbolic-ref', '--quiet', 'HEAD'], { check: false });
  const ref = result.stdout.trim();
  return result.exitCode === 0 && ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

async function operationInProgress(worktree: string): Promise<CandidateGitState['operation']> {
  const names = OPERATIONS.map(([name]) => name);
  const result = await runGit(worktree, ['rev-parse', ...names.flatMap((name) => ['--git-path', name])]);
  const paths = result.stdout.split('\n').filter(Boolean);
  for (const [i, [, operation]] of OPERATIONS.entries()) {
    const file = paths[i];
    if (file && (await pathExists(path.resolve(worktree, file)))) return operation;
  }
  return null;
}

async function unmerged(worktree: string): Promise<string[]> {
  const result = await runGit(worktree, ['ls-files', '--unmerged', '-z']);
  const paths = result.stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(entry.indexOf('\t') + 1));
  return [...new Set(paths)];
}

/** `status --porcelain=v2`: a submodule entry's third field is `S<c><m><u>`; m or u mean work inside it. */
async function submodulesWithChanges(worktree: string): Promise<string[]> {
  const result = await runGit(worktree, [
    '--no-optional-locks',
    'status',
    '--porcelain=v2',
    '-z',
    '--untracked-files=all',
    '--ignore-submodules=none',
  ]);
  const dirty: string[] = [];
  const fields = result.stdout.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.startsWith('2 ')) i++; // a rename's original path follows as its own field
    const parts = entry.split(' ');
    const sub = parts[2];
    if (
      (entry.startsWith('1 ') || entry.startsWith('2 ')) &&
      sub?.startsWith('S') &&
      /[MU]/.test(sub.slice(2))
    ) {
      dirty.push(parts.slice(entry.startsWith('1 ') ? 8 : 9).join(' '));
    }
  }
  return dirty;
}

async function isAncestor(cwd: string, ancestor: string, commit: string): Promise<boolean> {
  const result = await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, commit], { check: false });
  return result.exitCode === 0;
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

/** The submodule paths registered in a tree's .gitmodules. */
export async function submodulePaths(cwd: string, tree: string): Promise<Set<string>> {
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
