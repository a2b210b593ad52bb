import { rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { candidateEnv } from '../core/agent-command.js';
import { preparationWidth, settleWithLimit } from '../core/concurrency.js';
import { EnvValueError, mergeDotenv } from '../core/dotenv.js';
import { formatStepDuration } from '../core/durations.js';
import { type PreparationPlan, preparesAnything } from '../core/preparation-plan.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { applyFiles, unignoredLinks } from '../io/copy-files.js';
import { cloneNodeModules, hardLinkNodeModules, removeNodeModules } from '../io/deps.js';
import { readIfExists, writeFileAtomic } from '../io/files.js';
import { describeFailure, runSteps, type StepFailure } from '../io/hooks.js';
import { resolveFileInside, resolveInside } from '../io/inside.js';
import { createCandidateDatabases, redact } from '../io/postgres.js';
import {
  type RunResources,
  readResources,
  type SetupFailureRecord,
  setupLogPath,
  setupMark,
  writeResources,
  writeSetupFailure,
} from '../io/prepared-state.js';
import { sandboxPrefix } from '../io/sandbox.js';
import { findSqliteCopier, placeSnapshot, type SqliteCopier, snapshotSqlite } from '../io/sqlite-copy.js';
import { writeManifest } from '../io/state.js';
import { createLiveLines, type LiveLines, liveProgressWanted } from '../output/live-progress.js';
import type { Reporter } from '../output/reporter.js';

/**
 * Ready-to-run worktrees, as the run's plan says (core/preparation-plan.ts; nothing is decided here):
 * between creating the worktrees and starting the agents, every candidate gets its gitignored files
 * (copy/link/.worktreeinclude), its envFile, its node_modules, its own databases, then its postCreate
 * hooks and setup commands run. Candidates are prepared in parallel, a few at a time.
 *
 * A failing setup step (an install, a postCreate hook, a setup command) is that candidate's problem: it
 * is recorded, its agent is not started (the launcher shows why and opens a shell), the others go on,
 * unless --strict-setup, which aborts the run and rolls it back. Anything else that fails (a database
 * that cannot be created, a disk error) fails the whole run, which is then rolled back.
 */
export interface SetupFailure extends SetupFailureRecord {
  n: number;
}

export interface Preparation {
  failures: SetupFailure[];
}

export interface PrepareOptions {
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  signal: AbortSignal;
  strictSetup: boolean;
  /** Where progress lines go (stderr). */
  stream?: NodeJS.WritableStream;
  /**
   * Issue 16: prepare only these candidates of a run that already exists (a synthesis candidate), keeping
   * what the run recorded for the others (their databases in resources.json).
   */
  only?: number[];
}

export async function prepareCandidates(
  manifest: RunManifest,
  dir: string,
  plan: PreparationPlan,
  options: PrepareOptions,
): Promise<Preparation> {
  const { reporter, env } = options;
  const root = manifest.repo.root;
  const only = options.only;
  const candidates = only ? manifest.candidates.filter((c) => only.includes(c.n)) : manifest.candidates;
  const first = candidates[0];
  const fresh: RunResources = { hooks: plan.removal, timeout: plan.timeoutMs, postgres: null };
  const resources: RunResources = (only && (await readResources(dir))) || fresh;
  // Recorded before anything is provisioned, so a rollback or a later rm knows what to undo.
  await writeResources(dir, resources);
  if (!first) return { failures: [] };

  const snapshots = await takeSqliteSnapshots(plan.sqlite, root, dir, env);
  if (plan.postgres) {
    const { url, env: variable } = plan.postgres;
    resources.postgres = { url, databases: [...(resources.postgres?.databases ?? [])] };
    reporter.info(`Creating ${candidates.length} PostgreSQL databases from ${redact(url)}…`);
    await createCandidateDatabases(
      url,
      manifest.repo.root,
      manifest.task,
      candidates.map((c) => c.n),
      async (created) => {
        resources.postgres!.databases.push({ n: created.n, database: created.database });
        await writeResources(dir, resources);
        const candidate = manifest.candidates.find((c) => c.n === created.n)!;
        candidate.env = { ...candidate.env, [variable]: created.url };
      },
    );
    // The URLs are part of each candidate's environment from now on: record them for the launcher.
    await writeManifest(dir, manifest);
  }
  if (!preparesAnything(plan)) return { failures: [] };

  const stream = options.stream ?? process.stderr;
  const deps = plan.deps;
  reporter.info(
    `Preparing ${candidates.length} worktree${candidates.length === 1 ? '' : 's'}${deps.method === 'none' ? '' : ` (dependencies: ${deps.reason})`}…`,
  );
  const progress = createLiveLines(
    candidates.map((c) => c.name),
    { stream, live: liveProgressWanted(stream, env) },
  );
  // One candidate's failure under --strict-setup stops the others' commands at once.
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  const failures: SetupFailure[] = [];
  // Warnings wait until the progress lines are done, so a redrawn block is never broken up.
  const notes: string[] = [];

  const results = await settleWithLimit(
    candidates,
    preparationWidth(candidates.length, availableParallelism()),
    async (candidate) => {
      const failure = await prepareOne(manifest, candidate, {
        plan,
        snapshots,
        env,
        signal,
        progress,
        warn: (line) => notes.push(line),
        dir,
      });
      if (failure) {
        failures.push(failure);
        await writeSetupFailure(dir, candidate.n, failure);
        if (options.strictSetup)
          stop.abort(new CommandFailure('stopped: another candidate failed its setup (--strict-setup)'));
      }
    },
  );
  progress.finish();
  for (const note of new Set(notes)) reporter.warn(note);
  // The snapshots were copied to every candidate; the state folder need not keep them.
  await rm(path.join(dir, 'sqlite'), { recursive: true, force: true });
  for (const link of await unignoredLinks(first.worktree, { entries: plan.files, warnings: [] }).catch(
    () => [],
  )) {
    reporter.warn(
      `link: ${link} is a symlink in each candidate, and .gitignore ignores it only as a folder; write "${link}" without the trailing slash in .gitignore`,
    );
  }

  failures.sort((a, b) => a.n - b.n);
  const errors = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as Error);
  const unexpected = errors.find((e) => !(stop.signal.aborted && e === stop.signal.reason));
  if (options.signal.aborted) throw options.signal.reason;
  if (unexpected && !(options.strictSetup && failures.length > 0)) throw unexpected;
  for (const failure of failures) reportFailure(failure, plan, reporter);
  if (options.strictSetup && failures.length > 0) {
    const f = failures[0]!;
    throw new CommandFailure(
      `${f.candidate}: ${f.step} ${JSON.stringify(f.command)} ${f.how} (--strict-setup: the run was not started; log: ${f.logFile})`,
      f.tail,
    );
  }
  return { failures };
}

interface CandidateWork {
  plan: PreparationPlan;
  snapshots: { file: string; snapshot: string }[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress: LiveLines;
  warn: (line: string) => void;
  dir: string;
}

async function prepareOne(
  manifest: RunManifest,
  candidate: Candidate,
  work: CandidateWork,
): Promise<SetupFailure | null> {
  const started = Date.now();
  const { plan, progress, signal } = work;
  const show = (text: string) => progress.update(candidate.name, text);
  const stepEnv = { ...work.env, ...candidateEnv(manifest, candidate) };
  const logFile = setupLogPath(work.dir, candidate.n);
  // Issue 17: in a sandboxed run, setup and hooks run in the candidate's sandbox, as its agent will.
  const within = await sandboxPrefix(manifest, candidate, work.dir, work.env);
  const steps = (commands: string[], label: string) =>
    runSteps(commands, {
      cwd: candidate.worktree,
      env: stepEnv,
      logFile,
      within,
      timeout: plan.timeoutMs,
      signal,
      mark: setupMark(candidate),
      onStart: (command, index) =>
        show(`${label}${commands.length > 1 ? ` ${index + 1}/${commands.length}` : ''}: ${command}`),
    });
  const failed = (step: string, failure: StepFailure): SetupFailure => {
    const how = describeFailure(failure, plan.timeoutMs / 1000);
    show(`failed: ${step} ${JSON.stringify(failure.command)} ${how}`);
    return { ...failure, n: candidate.n, candidate: candidate.name, step, how, at: new Date().toISOString() };
  };

  if (plan.files.length > 0) {
    show('copying files');
    await applyFiles({ entries: plan.files, warnings: [] }, manifest.repo.root, candidate.worktree, {
      env: work.env,
      exclude: sqliteFamily(plan.sqlite),
    });
  }
  if (plan.envFile !== null) await writeEnvFile(manifest, candidate, plan.envFile);

  const deps = plan.deps;
  // node_modules is written into (and an install empties it): a committed symlink there must stay inside.
  if (deps.method !== 'none')
    await resolveInside(candidate.worktree, 'node_modules/.package-lock.json', 'deps');
  if (deps.method === 'clone' || deps.method === 'hardlink') {
    show(deps.method === 'clone' ? 'node_modules: cloning' : 'node_modules: hard-linking');
    try {
      if (deps.method === 'clone') await cloneNodeModules(manifest.repo.root, candidate.worktree, work.env);
      else await hardLinkNodeModules(manifest.repo.root, candidate.worktree);
    } catch (error) {
      // A copy that fails half way (a full disk, a permission) is thrown away; the package manager then
      // installs from scratch, which is slower but never wrong.
      work.warn(
        `${candidate.name}: could not ${deps.method} node_modules (${(error as Error).message}); installing instead`,
      );
      await removeNodeModules(candidate.worktree);
      const failure = await steps([deps.install!], 'installing');
      if (failure) return failed('deps', failure);
    }
  } else if (deps.method === 'install') {
    const failure = await steps([deps.install!], 'installing');
    if (failure) return failed('deps', failure);
  }

  for (const { file, snapshot } of work.snapshots) {
    await placeSnapshot(snapshot, await resolveFileInside(candidate.worktree, file, 'database.sqlite'));
  }

  const hookFailure = await steps(plan.postCreate, 'postCreate');
  if (hookFailure) return failed('postCreate', hookFailure);
  const setupFailure = await steps(plan.setup, 'setup');
  if (setupFailure) return failed('setup', setupFailure);
  show(`ready in ${formatStepDuration(Date.now() - started)}`);
  return null;
}

/**
 * A SQLite database and the files SQLite keeps beside it: the candidate gets the consistent snapshot,
 * so a `copy` that selects the folder must not copy the raw, possibly torn, files (issue 13 item 11).
 */
function sqliteFamily(files: readonly string[]): Set<string> {
  return new Set(
    files
      .map((file) => file.replace(/^(\.\/)+/, ''))
      .flatMap((file) => ['', '-wal', '-shm', '-journal'].map((suffix) => `${file}${suffix}`)),
  );
}

/**
 * Writes the candidate's ports, GIT_PARALLEL_* facts and its own variables (DATABASE_URL…) into its
 * dotenv file, over a copied one: the candidate's values win, every other line stays.
 */
async function writeEnvFile(manifest: RunManifest, candidate: Candidate, envFile: string): Promise<void> {
  const file = await resolveFileInside(candidate.worktree, envFile, 'envFile');
  const values = candidateEnv(manifest, { ...candidate, agentEnv: {} });
  let merged: string;
  try {
    merged = mergeDotenv(
      await readIfExists(file),
      values,
      `git-parallel: ${candidate.name} (written by git parallel; these values win)`,
    );
  } catch (error) {
    if (!(error instanceof EnvValueError)) throw error;
    throw new UsageError(`envFile ${envFile}: ${error.message}; rename the folder or change worktreeDir`);
  }
  // The merged file keeps the mode of the copied one (a 0600 .env.local stays 0600); a new one holds a
  // database URL with its password, so it is the user's alone.
  const existing = await stat(file).catch(() => null);
  await writeFileAtomic(file, merged, existing ? existing.mode & 0o7777 : 0o600);
}

/** One consistent copy of each planned SQLite database, taken once and placed into every candidate. */
async function takeSqliteSnapshots(
  files: string[],
  root: string,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ file: string; snapshot: string }[]> {
  const snapshots: { file: string; snapshot: string }[] = [];
  let copier: SqliteCopier | null = null;
  for (const [index, file] of files.entries()) {
    const source = path.join(root, file);
    copier ??= await findSqliteCopier(env, root);
    const snapshot = path.join(dir, 'sqlite', `${index}-${path.basename(file)}`);
    await snapshotSqlite(copier, source, snapshot, env);
    snapshots.push({ file, snapshot });
  }
  return snapshots;
}

function reportFailure(failure: SetupFailure, plan: PreparationPlan, reporter: Reporter): void {
  reporter.warn(
    `${failure.candidate}: ${failure.step} ${JSON.stringify(failure.command)} ${describeFailure(failure, plan.timeoutMs / 1000)}; its agent is not started (log: ${failure.logFile})`,
  );
  for (const line of failure.tail.slice(-5)) reporter.info(`    ${line}`);
}
