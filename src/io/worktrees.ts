import { availableParallelism } from 'node:os';
import type { Candidate, RunManifest } from '../core/types.js';
import { checkoutWorktrees, registerWorktree } from './git.js';
import { withStateLock } from './state.js';
import { markWorktree } from './worktree-marks.js';

/**
 * Creates every candidate's worktree: registered one at a time (see registerWorktree), then checked out a
 * few at a time, since checkouts are mostly file writes and overlap well (on 2 cores, 10 worktrees of vite
 * took 0.87 s two at a time vs 1.53 s one by one).
 *
 * An interrupt stops it between git commands, never inside one: git is not handed the abort signal, so the
 * rollback never starts while a checkout is still writing into the folder it removes (which left a
 * half-written worktree behind a "nothing was left behind"). A Ctrl-C from the terminal reaches git too,
 * which then stops at once and cleans up after itself; a signal to git-parallel alone lets the command in
 * flight finish, well under a second.
 */
export async function createWorktrees(
  manifest: RunManifest,
  signal: AbortSignal,
  heard: {
    /** A worktree and its branch exist: from here on a rollback removes them. */
    registered?: (candidate: Candidate) => void;
    checkedOut?: (candidate: Candidate) => void;
  },
): Promise<void> {
  // Under the repository's state lock, so that runs created at the same time do not race either.
  await withStateLock(manifest.repo.commonDir, async () => {
    for (const candidate of manifest.candidates) {
      if (signal.aborted) return;
      await registerWorktree(manifest.repo.root, candidate.worktree, candidate.branch, manifest.base.commit);
      await markWorktree({
        task: manifest.task,
        n: candidate.n,
        branch: candidate.branch,
        worktree: candidate.worktree,
      });
      heard.registered?.(candidate);
    }
  });
  const cores = availableParallelism();
  const width = Math.min(manifest.candidates.length, Math.max(2, Math.min(4, cores)));
  // The cores are shared out: a lone checkout gets them all, side-by-side checkouts one or two each.
  const workers = Math.max(1, Math.ceil(cores / width));
  const byWorktree = new Map(manifest.candidates.map((c) => [c.worktree, c]));
  await checkoutWorktrees([...byWorktree.keys()], {
    width,
    workers,
    done: (worktree) => heard.checkedOut?.(byWorktree.get(worktree)!),
  });
}
