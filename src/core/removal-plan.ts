import type { Candidate, RunManifest } from './types.js';

/**
 * What removing a run must undo beyond git's worktrees and branches, as recorded when the run was
 * prepared (resources.json): the removal hooks as they were then (and approved), and the PostgreSQL
 * databases created for it. Removal uses these, not today's config: a config changed since cannot run
 * unapproved commands on `rm`.
 */
export interface RunResources {
  hooks: { preRemove: string[]; postRemove: string[] };
  /** Milliseconds per hook command. */
  timeout: number;
  postgres: { url: string; databases: { n: number; database: string }[] } | null;
}

/** What the world holds of a run, read before anything is removed (see gatherRemovalFacts). */
export interface RemovalFacts {
  manifest: RunManifest;
  /** The recorded resources; null for a run made before they were recorded. */
  resources: RunResources | null;
  /** The worktree paths git knows. */
  registered: ReadonlySet<string>;
  /** The repository's local branches. */
  branches: ReadonlySet<string>;
  /** Per candidate name, the ignored files it made itself, deleted with its worktree; null: not looked at. */
  ignored: Record<string, string[]> | null;
  /** What removing would lose, one phrase per candidate (removal goes ahead only when forced). */
  losing: string[];
}

/**
 * Everything removing one run does, in the order it is done. `--dry-run` and `--json --dry-run` print
 * it, and the executor (removeRun) does what it says and nothing else, so what dry-run says is what runs.
 */
export interface RemovalPlan {
  task: string;
  /** Each candidate's final state is kept under this ref prefix first; null: not archived. */
  archiveUnder: string | null;
  /** The multiplexer session ended; null when there is none or it is the user's own (a Zellij --tab run). */
  session: string | null;
  /** The tab closed in the user's own Zellij session (a --tab run); null otherwise. */
  tab: string | null;
  /** The candidates whose worktree git knows, removed one by one. */
  worktrees: { n: number; name: string; path: string }[];
  /** Run in each of those worktrees before it is removed, and in the main worktree after. */
  hooks: { preRemove: string[]; postRemove: string[] };
  /** PostgreSQL databases dropped. */
  databases: string[];
  /** Candidate branches deleted (none with --keep-branches). */
  branches: string[];
  /** Candidate branches kept (--keep-branches). */
  keptBranches: string[];
  ignoredDeleted: Record<string, string[]>;
  /** Work removing loses; empty unless the removal is forced. */
  losing: string[];
}

export function planRemoval(
  facts: RemovalFacts,
  options: { keepBranches: boolean; archiveUnder: string | null },
): RemovalPlan {
  const { manifest } = facts;
  const session = manifest.mux.session;
  const branches = manifest.candidates.map((c) => c.branch).filter((b) => facts.branches.has(b));
  return {
    task: manifest.task,
    archiveUnder: options.archiveUnder,
    session: session && !manifest.mux.tab ? session : null,
    tab: session && manifest.mux.tab ? manifest.task : null,
    worktrees: manifest.candidates
      .filter((c) => facts.registered.has(c.worktree))
      .map((c) => ({ n: c.n, name: c.name, path: c.worktree })),
    hooks: facts.resources?.hooks ?? { preRemove: [], postRemove: [] },
    databases: facts.resources?.postgres?.databases.map((d) => d.database) ?? [],
    branches: options.keepBranches ? [] : branches,
    keptBranches: options.keepBranches ? branches : [],
    ignoredDeleted: facts.ignored ?? {},
    losing: options.archiveUnder === null ? facts.losing : [],
  };
}

/** The plan's steps in words, one a line, as --dry-run prints them. */
export function describeRemoval(plan: RemovalPlan, candidates: readonly Candidate[]): string[] {
  const list = (items: readonly string[]) => items.join(', ');
  const hook = (which: string, commands: string[]) =>
    commands.length > 0 ? [`run the ${which} hook ${list(commands.map((c) => JSON.stringify(c)))}`] : [];
  return [
    ...(plan.archiveUnder === null
      ? []
      : [`archive ${list(candidates.map((c) => c.name))} under ${plan.archiveUnder}`]),
    ...(plan.session ? [`end the session ${plan.session}`] : []),
    ...(plan.tab ? [`close the tab ${plan.tab}`] : []),
    ...hook('preRemove', plan.hooks.preRemove),
    ...(plan.worktrees.length > 0 ? [`remove the worktrees ${list(plan.worktrees.map((w) => w.path))}`] : []),
    ...hook('postRemove', plan.hooks.postRemove),
    ...(plan.databases.length > 0 ? [`drop the databases ${list(plan.databases)}`] : []),
    ...(plan.branches.length > 0 ? [`delete the branches ${list(plan.branches)}`] : []),
    ...(plan.keptBranches.length > 0 ? [`keep the branches ${list(plan.keptBranches)}`] : []),
    ...(Object.keys(plan.ignoredDeleted).length > 0
      ? [`delete ignored files the candidates made: ${describeIgnored(plan.ignoredDeleted)}`]
      : []),
    `delete the state of ${plan.task}`,
    ...(plan.losing.length > 0 ? [`losing: ${plan.losing.join('; ')}`] : []),
  ];
}

/** "t-1: notes.local, build/; t-2: .cache/", at most 8 names per candidate; empty when there are none. */
export function describeIgnored(made: Record<string, string[]>): string {
  return Object.entries(made)
    .map(([name, entries]) => {
      const shown = entries.slice(0, 8).join(', ');
      return `${name}: ${shown}${entries.length > 8 ? ` and ${entries.length - 8} more` : ''}`;
    })
    .join('; ');
}
