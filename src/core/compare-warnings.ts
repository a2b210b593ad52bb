import { type FileChange, GITLINK_MODE } from './compare-files.js';

/** What the warnings of one candidate are made from (gathered by io/candidate-state.ts). */
export interface WarningFacts {
  branch: string;
  worktree: string;
  worktreeMissing: boolean;
  hasBranch: boolean;
  head: string | null;
  worktreeBranch: string | null;
  operation: string | null;
  unmergedPaths: string[];
  dirtySubmodules: string[];
  containsBase: boolean;
  /** Whether the HEAD contains the base branch as it is now (when it moved). */
  containsBaseNow: boolean;
  runBase: string;
  countFrom: string;
  files: FileChange[];
  /** Conflict markers (`<<<<<<< `) among the lines the candidate added. */
  conflictMarkers: number;
  /** Paths registered as submodules in the candidate's .gitmodules (a gitlink elsewhere is a nested clone). */
  submodules: ReadonlySet<string>;
}

/**
 * Every reason a candidate's numbers are not simply "its work against the base", in words. A candidate
 * with any of these is never ranked as a good one (RANKING_RULE's first key).
 */
export function candidateWarnings(f: WarningFacts): string[] {
  const warnings: string[] = [];
  const short = (commit: string) => commit.slice(0, 10);
  if (f.worktreeMissing && !f.hasBranch) {
    warnings.push(
      `its worktree ${f.worktree} and its branch ${f.branch} are gone: there is nothing to compare`,
    );
  } else if (f.worktreeMissing) {
    warnings.push(`its worktree ${f.worktree} is gone; compared through its branch ${f.branch}`);
  } else if (!f.hasBranch) {
    warnings.push(`its branch ${f.branch} is gone; compared through its worktree`);
  }
  if (!f.worktreeMissing && f.worktreeBranch !== f.branch) {
    warnings.push(
      f.worktreeBranch === null
        ? `its worktree is on a detached HEAD, not on its branch ${f.branch}`
        : `its worktree is on the branch ${f.worktreeBranch}, not on its own ${f.branch}`,
    );
  }
  if (f.head !== null && !f.containsBase && !f.containsBaseNow) {
    warnings.push(
      `its work does not contain the run's base ${short(f.runBase)} (reset or rebased behind it?); counted from the merge base ${short(f.countFrom)}`,
    );
  }
  if (f.operation !== null) {
    const unmerged = f.unmergedPaths.length;
    warnings.push(
      `a ${f.operation} is in progress${unmerged > 0 ? ` with ${unmerged} unmerged file${unmerged === 1 ? '' : 's'}` : ''}; its change has ${f.conflictMarkers} conflict marker${f.conflictMarkers === 1 ? '' : 's'}`,
    );
  } else if (f.unmergedPaths.length > 0 || f.conflictMarkers > 0) {
    warnings.push(
      `its change has ${f.conflictMarkers} conflict marker${f.conflictMarkers === 1 ? '' : 's'} and ${f.unmergedPaths.length} unmerged file${f.unmergedPaths.length === 1 ? '' : 's'}`,
    );
  }
  for (const file of f.files) {
    if (file.newMode === GITLINK_MODE && file.oldMode !== GITLINK_MODE && !f.submodules.has(file.path)) {
      warnings.push(
        `${file.path} is a nested git repository: only its commit is recorded, its files are not compared`,
      );
    }
  }
  for (const sub of f.dirtySubmodules) {
    warnings.push(`the submodule ${sub} has uncommitted changes inside it, which compare does not see`);
  }
  return warnings;
}

/** Conflict markers among a patch's added lines. */
export function conflictMarkersIn(patch: string): number {
  return patch.split('\n').filter((line) => /^\+<{7}( |$)/.test(line)).length;
}
