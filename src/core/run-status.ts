import type { AgentStateName } from './agent-state.js';
import type { CandidateCost } from './agent-usage.js';
import type { ReviewRunning } from './review-verdict.js';

/**
 * One candidate's row: who, what state and why, and its change against the base (WorktreeFacts). The
 * change is named as compare names it (schemas/status.schema.json): commits, filesChanged, added, deleted,
 * uncommitted { changed, untracked } (null when the worktree is gone).
 */
export interface CandidateStatus {
  name: string;
  n: number;
  agent: string;
  branch: string;
  worktree: string;
  state: AgentStateName;
  reason: string;
  exitCode: number | null;
  since: string | null;
  startedAt: string | null;
  /** When the agent finished (exited, or a hook said its turn was done); null while it runs or when unknown. */
  finishedAt: string | null;
  ports: Record<string, number>;
  /** Commits on the branch that the base does not contain; null when the branch is gone. */
  commits: number | null;
  filesChanged: number;
  added: number;
  deleted: number;
  uncommitted: { changed: number; untracked: number } | null;
  /** Issue 16: tokens from the agent's own files (null: unknown) and its wall time. */
  cost?: CandidateCost;
}

export interface RunStatus {
  task: string;
  base: { commit: string; ref: string | null } | null;
  createdAt: string | null;
  agents: string;
  mux: string | null;
  session: string | null;
  sessionAlive: boolean | null;
  problem: string | null;
  /** Issue 17: the run's agents start in a sandbox. */
  sandboxed: boolean;
  candidates: CandidateStatus[];
  /** A `review` of the run running now (null when none, or when its process died). */
  review?: ReviewRunning | null;
}
