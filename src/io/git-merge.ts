import { fieldsOf } from '../core/git-porcelain.js';
import { type GitOptions, type GitResult, runGit } from './git-runner.js';

/** The git steps of `pick` that land a candidate on its target branch: commit, merge, squash, rebase. */

/**
 * Commits everything a worktree holds, untracked files too, on its current branch. `--no-verify`: this
 * commit only preserves what an agent left; the user's commit hooks run on the commit that lands on the
 * target branch.
 */
export async function commitAllWork(
  worktree: string,
  message: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await runGit(worktree, ['add', '--all'], { env });
  await runGit(worktree, ['commit', '--quiet', '--no-verify', '-m', message], { env });
}

/**
 * The steps of a pick that may stop on a conflict: their result is returned, never thrown, so the caller
 * can tell a conflict (left for the user to resolve) from another failure. None of them opens an editor.
 */
function withoutEditor(env: NodeJS.ProcessEnv): GitOptions {
  return { check: false, env: { ...env, GIT_EDITOR: 'true' } };
}

/** `git merge --no-ff`: always a merge commit, with `message`. */
export function mergeWithCommit(
  cwd: string,
  branch: string,
  message: string,
  env: NodeJS.ProcessEnv,
): Promise<GitResult> {
  return runGit(cwd, ['merge', '--no-ff', '--no-edit', '-m', message, branch], withoutEditor(env));
}

/** `git merge --squash`: the branch's changes staged, not committed. */
export function squashMerge(cwd: string, branch: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(cwd, ['merge', '--squash', branch], withoutEditor(env));
}

/** Commits what is staged, with `message`, or git's prepared message (a squash's) when there is none. */
export function commitStaged(
  cwd: string,
  message: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<GitResult> {
  const messageArgs = message !== undefined ? ['-m', message] : ['--no-edit'];
  return runGit(cwd, ['commit', '--quiet', ...messageArgs], withoutEditor(env));
}

/** Rebases the branch a worktree is on onto `onto`. */
export function rebaseOnto(worktree: string, onto: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(worktree, ['rebase', onto], withoutEditor(env));
}

/** `git merge --ff-only`. */
export function fastForward(cwd: string, branch: string, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return runGit(cwd, ['merge', '--ff-only', branch], withoutEditor(env));
}

/** The paths a merge or rebase left in conflict. */
export async function conflictedPaths(cwd: string): Promise<string[]> {
  const result = await runGit(cwd, ['diff', '--name-only', '-z', '--diff-filter=U'], { check: false });
  return fieldsOf(result.stdout);
}
