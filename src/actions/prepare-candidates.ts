import { rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { candidateEnv } from '../core/agent-command.js';
import { preparationWidth, settleWithLimit } from '../core/concurrency.js';
import type { Config } from '../core/config-shape.js';
import { normalizePostgresUrl } from '../core/database-name.js';
import { EnvValueError, mergeDotenv } from '../core/dotenv.js';
import { formatStepDuration } from '../core/durations.js';
import { repositoryPathProblem, selects } from '../core/globs.js';
import { hookCommands, runUsesRepositoryCommands } from '../core/trust.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import {
  applyFiles,
  compileFilePatterns,
  type FileSelection,
  selectFiles,
  unignoredLinks,
} from '../io/copy-files.js';
import {
  cloneNodeModules,
  type DepsPlan,
  hardLinkNodeModules,
  planDeps,
  removeNodeModules,
} from '../io/deps.js';
import { pathExists, readIfExists, writeFileAtomic } from '../io/files.js';
import { existsAtCommit, isIgnored, isTracked } from '../io/git.js';
import { describeFailure, runSteps, type StepFailure } from '../io/hooks.js';
import { resolveFileInside, resolveInside } from '../io/inside.js';
import { checkPostgres, createCandidateDatabases, redact } from '../io/postgres.js';
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
import {
  assertSqliteFile,
  findSqliteCopier,
  placeSnapshot,
  type SqliteCopier,
  snapshotSqlite,
} from '../io/sqlite-copy.js';
import { writeManifest } from '../io/state.js';
import {
  assertTrusted,
  installScriptsApproved,
  readInstallScripts,
  type TrustOptions,
  trustSubject,
} from '../io/trust.js';
import { createLiveLines, type LiveLines, liveProgressWanted } from '../output/live-progress.js';
import type { Reporter } from '../output/reporter.js';
import type { Context } from './context.js';

/**
 * Ready-to-run worktrees: between creating the worktrees and starting the agents, every candidate gets
 * its gitignored files (copy/link/.worktreeinclude), its envFile, its node_modules, its own databases,
 * then its postCreate hooks and setup commands run. Candidates are prepared in parallel, a few at a time.
 *
 * A failing setup step (an install, a postCreate hook, a setup command) is that candidate's problem: it
 * is recorded, its agent is not started (the launcher shows why and opens a shell), the others go on,
 * unless --strict-setup, which aborts the run and rolls it back. Anything else that fails (a database
 * that cannot be created, a disk error) fails the whole run, which is then rolled back.
 */
export interface PreparationPlan {
  copy: string[];
  link: string[];
  envFile: string | null;
  deps: Config['deps'];
  sqlite: string[];
  postgres: { url: string; env: string } | null;
  postCreate: string[];
  setup: string[];
  removal: { preRemove: string[]; postRemove: string[] };
  timeoutMs: number;
  /** Whether an install in a candidate may run lifecycle scripts (approved, or --trust). */
  installScripts: boolean;
  /**
   * The lifecycle scripts that were approved, as read from the main worktree (JSON), or null when the
   * approval was --trust (anything goes): a base whose package.json has other scripts runs none of them.
   */
  approvedScripts: string | null;
}

export interface SetupFailure extends SetupFailureRecord {
  n: number;
}

export interface Preparation {
  failures: SetupFailure[];
  deps: DepsPlan['method'];
}

/**
 * Checks the preparation settings before anything is created (paths that leave the repository, a
 * tracked envFile, a SQLite path that is not SQLite, a bad database URL) and, when the run would execute
 * commands from the repository's config, that the user approved them.
 */
export async function planPreparation(
  context: Context,
  options: {
    base: string;
    lineupAgents: string[];
    trust: Omit<TrustOptions, 'purpose'> & { purpose?: string };
    dryRun: boolean;
    warn: (line: string) => void;
  },
): Promise<PreparationPlan> {
  const config = context.loaded.config;
  const root = context.repo.mainRoot;
  const patterns = compileFilePatterns(config.copy, config.link);
  if (config.envFile !== null) {
    const problem = repositoryPathProblem(config.envFile);
    if (problem) throw new UsageError(`envFile ${JSON.stringify(config.envFile)} ${problem}`);
    // A linked envFile would be replaced by the candidate's own file (or, written through, be the main
    // worktree's): say so instead of silently dropping the link (issue 13 item 16).
    if (selects(patterns.link.flat(), config.envFile.replace(/^(\.\/)+/, ''), false)) {
      throw new UsageError(
        `envFile ${config.envFile} is also selected by link; each candidate writes its own values into it, so copy it instead`,
      );
    }
    if (await existsAtCommit(root, options.base, config.envFile.replace(/^\.\//, ''))) {
      throw new UsageError(
        `envFile ${config.envFile} is tracked by git; name a gitignored file such as .env.local, so agents do not commit ports`,
      );
    }
    // git cannot answer for a path beyond a symbolic link (exit 128): the symlink check refuses it later,
    // with the reason, so only a plain "not ignored" warns here.
    if ((await isIgnored(root, config.envFile).catch(() => null)) === false) {
      options.warn(
        `envFile ${config.envFile} is not gitignored: each candidate will show it as untracked work; add it to .gitignore`,
      );
    }
  }
  const sqlite = config.database.sqlite ?? [];
  for (const file of sqlite) {
    const problem = repositoryPathProblem(file);
    if (problem) throw new UsageError(`database.sqlite: ${JSON.stringify(file)} ${problem}`);
    if (await assertSqliteFile(path.join(root, file), file)) await findSqliteCopier(context.env, root);
  }
  let postgres: PreparationPlan['postgres'] = null;
  if (config.database.postgres) {
    const { env = 'DATABASE_URL' } = config.database.postgres;
    const url = normalizePostgresUrl(config.database.postgres.url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(
        `database.postgres.url is not a URL: ${JSON.stringify(url)} (e.g. postgres://localhost:5432/app_dev)`,
      );
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new UsageError(
        `database.postgres.url must start with postgres:// or postgresql://, got ${redact(url)}`,
      );
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env))
      throw new UsageError(`database.postgres.env ${JSON.stringify(env)} is not a variable name`);
    postgres = { url, env };
  }

  const subject = await trustSubject(context.loaded, root);
  if (!options.dryRun && runUsesRepositoryCommands(context.loaded.repositoryConfig, options.lineupAgents)) {
    await assertTrusted(subject, { purpose: 'start this run', ...options.trust });
  }
  // Issue 13 item 5: lifecycle scripts run only once approved; until then installs turn them off.
  const installScripts = await installScriptsApproved(subject, options.trust);
  const approvedScripts = options.trust.oneOff ? null : JSON.stringify(await readInstallScripts(root));
  // After the trust check: the URL may come from the repository's config.
  if (postgres && !options.dryRun) await checkPostgres(postgres.url);
  return {
    copy: config.copy,
    link: config.link,
    envFile: config.envFile === null ? null : config.envFile.replace(/^\.\//, ''),
    deps: config.deps,
    sqlite,
    postgres,
    postCreate: hookCommands(config.hooks.postCreate),
    setup: config.setup,
    removal: {
      preRemove: hookCommands(config.hooks.preRemove),
      postRemove: hookCommands(config.hooks.postRemove),
    },
    timeoutMs: config.setupTimeout * 1000,
    installScripts,
    approvedScripts,
  };
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
  given: PreparationPlan,
  options: PrepareOptions,
): Promise<Preparation> {
  const { reporter, env } = options;
  let plan = given;
  const root = manifest.repo.root;
  const only = options.only;
  const candidates = only ? manifest.candidates.filter((c) => only.includes(c.n)) : manifest.candidates;
  const first = candidates[0];
  const fresh: RunResources = { hooks: plan.removal, timeout: plan.timeoutMs, postgres: null };
  const resources: RunResources = (only && (await readResources(dir))) || fresh;
  // Recorded before anything is provisioned, so a rollback or a later rm knows what to undo.
  await writeResources(dir, resources);
  if (!first) return { failures: [], deps: 'none' };

  const files = await selectFiles(root, plan, {
    skipFolders: manifest.candidates.map((c) => c.worktree),
    skipNodeModules: plan.deps !== 'none',
  });
  for (const warning of files.warnings) reporter.warn(warning);
  const deps = await planDeps(plan.deps, root, first.worktree, env);
  if (deps.warning) reporter.warn(deps.warning);
  if (
    deps.method === 'install' &&
    plan.installScripts &&
    plan.approvedScripts !== null &&
    JSON.stringify(await readInstallScripts(first.worktree)) !== plan.approvedScripts
  ) {
    // Approval was of the main worktree's package.json; --base may bring other scripts.
    plan = { ...plan, installScripts: false };
    reporter.warn(
      "the lifecycle scripts in the run's base (package.json) differ from the approved ones of the main worktree",
    );
  }
  if (deps.method === 'install' && !plan.installScripts) {
    reporter.warn(
      `installing without lifecycle scripts (${deps.choice!.installWithoutScripts}): the scripts of package.json and its dependencies are not approved; git parallel trust approves them`,
    );
  }
  const snapshots = await takeSqliteSnapshots(plan.sqlite, root, dir, env, reporter);

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

  const hasWork =
    files.entries.length > 0 ||
    plan.envFile !== null ||
    deps.method !== 'none' ||
    snapshots.length > 0 ||
    plan.postCreate.length > 0 ||
    plan.setup.length > 0;
  if (!hasWork) return { failures: [], deps: deps.method };

  const stream = options.stream ?? process.stderr;
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
        files,
        deps,
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
  for (const link of await unignoredLinks(first.worktree, files).catch(() => [])) {
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
  return { failures, deps: deps.method };
}

interface CandidateWork {
  plan: PreparationPlan;
  files: FileSelection;
  deps: DepsPlan;
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

  if (work.files.entries.length > 0) {
    show('copying files');
    await applyFiles(work.files, manifest.repo.root, candidate.worktree, {
      env: work.env,
      exclude: sqliteFamily(plan.sqlite),
    });
  }
  if (plan.envFile !== null) await writeEnvFile(manifest, candidate, plan.envFile);

  const deps = work.deps;
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
      const failure = await steps([installCommand(deps, plan)], 'installing');
      if (failure) return failed('deps', failure);
    }
  } else if (deps.method === 'install') {
    const failure = await steps([installCommand(deps, plan)], 'installing');
    if (failure) return failed('deps', failure);
  }

  for (const { file, snapshot } of work.snapshots) {
    const target = await resolveFileInside(candidate.worktree, file, 'database.sqlite');
    if ((await pathExists(target)) && (await isTracked(candidate.worktree, file))) {
      work.warn(`database.sqlite: ${file} is tracked by git; the candidates keep its committed copy`);
      continue;
    }
    await placeSnapshot(snapshot, target);
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

/** The install a candidate gets: with lifecycle scripts only when they are approved. */
function installCommand(deps: DepsPlan, plan: PreparationPlan): string {
  return (plan.installScripts ? deps.choice!.install : deps.choice!.installWithoutScripts)!;
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

async function takeSqliteSnapshots(
  files: string[],
  root: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  reporter: Reporter,
): Promise<{ file: string; snapshot: string }[]> {
  const snapshots: { file: string; snapshot: string }[] = [];
  let copier: SqliteCopier | null = null;
  for (const [index, file] of files.entries()) {
    const source = path.join(root, file);
    if (!(await assertSqliteFile(source, file))) {
      reporter.warn(
        `database.sqlite: ${file} does not exist in the main worktree; the candidates start without it`,
      );
      continue;
    }
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
