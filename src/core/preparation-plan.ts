import { candidateDatabaseName, databaseOf } from './database-name.js';
import type { DepsMethod, DepsPlan } from './deps-method.js';
import type { FileEntry, FileSelection } from './types.js';

/**
 * What preparing a run's candidates is decided on, gathered once before anything is created
 * (actions/preparation-facts.ts): the config's settings, checked, and what the main worktree and the base
 * commit hold.
 */
export interface PreparationFacts {
  /** What gathering found worth telling the user (an envFile git does not ignore). */
  notes: string[];
  /** The gitignored files of the main worktree that copy, link and .worktreeinclude select. */
  files: FileSelection;
  /** The dotenv file each candidate gets its values in, relative to the repository root; null: none. */
  envFile: string | null;
  deps: DepsPlan;
  /** database.sqlite, each with whether the main worktree has it and whether the base tracks it. */
  sqlite: { file: string; present: boolean; tracked: boolean }[];
  postgres: { url: string; env: string } | null;
  postCreate: string[];
  setup: string[];
  removal: { preRemove: string[]; postRemove: string[] };
  timeoutMs: number;
  /** Whether an install may run lifecycle scripts (approved, or --trust). */
  installScripts: boolean;
  /** The base's lifecycle scripts are not the approved ones of the main worktree (another --base). */
  baseScriptsDiffer: boolean;
}

/** Everything preparing does to each candidate, decided: what prepareCandidates carries out. */
export interface PreparationPlan {
  files: FileEntry[];
  envFile: string | null;
  deps: { method: DepsMethod; reason: string; install: string | null };
  /** The SQLite databases each candidate gets a consistent snapshot of. */
  sqlite: string[];
  /** One database per candidate prepared, copied from the URL's database; its URL goes into `env`. */
  postgres: { url: string; env: string; databases: { n: number; database: string }[] } | null;
  postCreate: string[];
  setup: string[];
  removal: { preRemove: string[]; postRemove: string[] };
  timeoutMs: number;
}

/**
 * The preparation of the candidates `ns` of the task `task` (of the repository at `repository`, which
 * names their databases), and the lines the user should read about it.
 */
export function planPreparation(
  facts: PreparationFacts,
  target: { task: string; repository: string; ns: readonly number[] },
): { plan: PreparationPlan; warnings: string[] } {
  const warnings = [...facts.notes, ...facts.files.warnings];
  if (facts.deps.warning) warnings.push(facts.deps.warning);
  const { deps } = facts;
  let installScripts = facts.installScripts;
  if (deps.method === 'install' && installScripts && facts.baseScriptsDiffer) {
    // Approval was of the main worktree's package.json; --base may bring other scripts.
    installScripts = false;
    warnings.push(
      "the lifecycle scripts in the run's base (package.json) differ from the approved ones of the main worktree",
    );
  }
  if (deps.method === 'install' && !installScripts) {
    warnings.push(
      `installing without lifecycle scripts (${deps.choice!.installWithoutScripts}): the scripts of package.json and its dependencies are not approved; git parallel trust approves them`,
    );
  }
  const install =
    deps.method === 'none' || !deps.choice
      ? null
      : installScripts
        ? deps.choice.install
        : deps.choice.installWithoutScripts;
  const sqlite: string[] = [];
  for (const { file, present, tracked } of facts.sqlite) {
    if (!present)
      warnings.push(
        `database.sqlite: ${file} does not exist in the main worktree; the candidates start without it`,
      );
    else if (tracked)
      warnings.push(`database.sqlite: ${file} is tracked by git; the candidates keep its committed copy`);
    else sqlite.push(file);
  }
  const template = facts.postgres ? databaseOf(facts.postgres.url) : null;
  const postgres = facts.postgres && {
    ...facts.postgres,
    databases: target.ns.map((n) => ({
      n,
      database: template === null ? '' : candidateDatabaseName(template, target.task, n, target.repository),
    })),
  };
  return {
    plan: {
      files: facts.files.entries,
      envFile: facts.envFile,
      deps: { method: deps.method, reason: deps.reason, install },
      sqlite,
      postgres,
      postCreate: facts.postCreate,
      setup: facts.setup,
      removal: facts.removal,
      timeoutMs: facts.timeoutMs,
    },
    warnings,
  };
}

/** Whether preparing does anything to a candidate beyond recording it. */
export function preparesAnything(plan: PreparationPlan): boolean {
  return (
    plan.files.length > 0 ||
    plan.envFile !== null ||
    plan.deps.method !== 'none' ||
    plan.sqlite.length > 0 ||
    plan.postCreate.length > 0 ||
    plan.setup.length > 0
  );
}
