import { describeRemoval, type RemovalPlan } from './removal-plan.js';
import type { Candidate } from './types.js';

export type PickStrategy = 'merge' | 'squash' | 'rebase';

/**
 * Everything `pick` does, in order. `--dry-run` (and `--json --dry-run`) print it, and the executor
 * follows it: the worktree it merges in, the strategy, whether the run ends, and how it is removed.
 */
export interface PickPlan {
  /** The candidate brought in, and its branch. */
  candidate: string;
  branch: string;
  /** The branch it goes into, and the worktree that branch is checked out in (where pick merges). */
  target: string;
  into: string;
  /** Whether `into` is a linked worktree of the user's rather than the main worktree. */
  intoLinked: boolean;
  strategy: PickStrategy;
  /** The run ends (not --keep): its agents are ended first, then every candidate archived and the run removed. */
  endAgents: boolean;
  /**
   * The candidate's worktree holds uncommitted or untracked work, committed on its branch first. (The
   * agents may write more as they stop: that is committed too.)
   */
  commitWork: boolean;
  /** How the run is removed afterwards; null with --keep. */
  removal: RemovalPlan | null;
}

export function planPick(facts: {
  candidate: Candidate;
  target: string;
  into: string;
  mainRoot: string;
  strategy: PickStrategy;
  dirty: boolean;
  removal: RemovalPlan | null;
}): PickPlan {
  return {
    candidate: facts.candidate.name,
    branch: facts.candidate.branch,
    target: facts.target,
    into: facts.into,
    intoLinked: facts.into !== facts.mainRoot,
    strategy: facts.strategy,
    endAgents: facts.removal !== null,
    commitWork: facts.dirty,
    removal: facts.removal,
  };
}

/** The plan's steps in words, one a line, as --dry-run prints them. */
export function describePick(plan: PickPlan, candidates: readonly Candidate[]): string[] {
  const where = plan.intoLinked ? ` in the worktree ${plan.into}` : '';
  return [
    ...(plan.endAgents ? ['end the agents and wait for them'] : []),
    ...(plan.commitWork ? [`commit the uncommitted work of ${plan.candidate} on ${plan.branch}`] : []),
    plan.strategy === 'merge'
      ? `merge ${plan.branch} into ${plan.target} with a merge commit (--no-ff)${where}`
      : plan.strategy === 'squash'
        ? `squash ${plan.branch} into one commit on ${plan.target}${where}`
        : `rebase ${plan.branch} onto ${plan.target} in its worktree, then fast-forward ${plan.target}${where}`,
    ...(plan.removal ? describeRemoval(plan.removal, candidates) : []),
  ];
}
