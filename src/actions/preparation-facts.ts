import path from 'node:path';
import { normalizePostgresUrl } from '../core/database-name.js';
import { repositoryPathProblem, selects } from '../core/globs.js';
import { installScriptsOf } from '../core/package-manager.js';
import type { PreparationFacts } from '../core/preparation-plan.js';
import { hookCommands, runUsesRepositoryCommands } from '../core/trust.js';
import { UsageError } from '../errors.js';
import { compileFilePatterns, selectFiles } from '../io/copy-files.js';
import { planDeps, readPackageFilesAtCommit } from '../io/deps.js';
import { existsAtCommit, isIgnored } from '../io/git.js';
import { checkPostgres, redact } from '../io/postgres.js';
import { assertSqliteFile, findSqliteCopier } from '../io/sqlite-copy.js';
import {
  assertTrusted,
  installScriptsApproved,
  readInstallScripts,
  type TrustOptions,
  trustSubject,
} from '../io/trust.js';
import type { Context } from './context.js';

/**
 * Gathers what preparing a run's candidates is planned from (core/preparation-plan.ts), before anything
 * is created: checks the settings (paths that leave the repository, a tracked envFile, a SQLite path that
 * is not SQLite, a bad database URL), and, when the run would execute commands from the repository's
 * config, that the user approved them. The candidates' side is read from the base commit, so a dry run
 * shows what the run does.
 */
export async function gatherPreparationFacts(
  context: Context,
  options: {
    base: string;
    lineupAgents: string[];
    /** The candidates' worktrees (never copied into each other when worktreeDir is inside the repository). */
    worktrees: string[];
    trust: Omit<TrustOptions, 'purpose'> & { purpose?: string };
    dryRun: boolean;
    env: NodeJS.ProcessEnv;
  },
): Promise<PreparationFacts> {
  const config = context.loaded.config;
  const root = context.repo.mainRoot;
  const warnings: string[] = [];
  const patterns = compileFilePatterns(config.copy, config.link);
  const envFile = config.envFile === null ? null : config.envFile.replace(/^(\.\/)+/, '');
  if (config.envFile !== null && envFile !== null) {
    const problem = repositoryPathProblem(config.envFile);
    if (problem) throw new UsageError(`envFile ${JSON.stringify(config.envFile)} ${problem}`);
    // A linked envFile would be replaced by the candidate's own file (or, written through, be the main
    // worktree's): say so instead of silently dropping the link (issue 13 item 16).
    if (selects(patterns.link.flat(), envFile, false)) {
      throw new UsageError(
        `envFile ${config.envFile} is also selected by link; each candidate writes its own values into it, so copy it instead`,
      );
    }
    if (await existsAtCommit(root, options.base, envFile)) {
      throw new UsageError(
        `envFile ${config.envFile} is tracked by git; name a gitignored file such as .env.local, so agents do not commit ports`,
      );
    }
    // git cannot answer for a path beyond a symbolic link (exit 128): the symlink check refuses it later,
    // with the reason, so only a plain "not ignored" warns here.
    if ((await isIgnored(root, config.envFile).catch(() => null)) === false) {
      warnings.push(
        `envFile ${config.envFile} is not gitignored: each candidate will show it as untracked work; add it to .gitignore`,
      );
    }
  }
  const sqlite: PreparationFacts['sqlite'] = [];
  for (const file of config.database.sqlite ?? []) {
    const problem = repositoryPathProblem(file);
    if (problem) throw new UsageError(`database.sqlite: ${JSON.stringify(file)} ${problem}`);
    const present = await assertSqliteFile(path.join(root, file), file);
    if (present) await findSqliteCopier(options.env, root);
    const tracked = present && (await existsAtCommit(root, options.base, file.replace(/^(\.\/)+/, '')));
    sqlite.push({ file, present, tracked });
  }
  const postgres = config.database.postgres ? checkedPostgres(config.database.postgres) : null;

  const subject = await trustSubject(context.loaded, root);
  if (!options.dryRun && runUsesRepositoryCommands(context.loaded.repositoryConfig, options.lineupAgents)) {
    await assertTrusted(subject, { purpose: 'start this run', ...options.trust });
  }
  // Issue 13 item 5: lifecycle scripts run only once approved; until then installs turn them off.
  const installScripts = await installScriptsApproved(subject, options.trust);
  // After the trust check: the URL may come from the repository's config.
  if (postgres && !options.dryRun) await checkPostgres(postgres.url);

  const files = await selectFiles(root, config, {
    skipFolders: options.worktrees,
    skipNodeModules: config.deps !== 'none',
  });
  const base = config.deps === 'none' ? null : await readPackageFilesAtCommit(root, options.base);
  const deps = base
    ? await planDeps(config.deps, root, base, options.worktrees[0] ?? root, options.env)
    : { method: 'none' as const, reason: 'deps is "none"', choice: null };
  // Approval was of the main worktree's package.json; --base may bring other scripts.
  const baseScriptsDiffer =
    base !== null &&
    installScripts &&
    !options.trust.oneOff &&
    JSON.stringify(installScriptsOf(base)) !== JSON.stringify(await readInstallScripts(root));
  return {
    notes: warnings,
    files,
    envFile,
    deps,
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
    baseScriptsDiffer,
  };
}

function checkedPostgres(setting: { url: string; env?: string }): { url: string; env: string } {
  const { env = 'DATABASE_URL' } = setting;
  const url = normalizePostgresUrl(setting.url);
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
  return { url, env };
}
