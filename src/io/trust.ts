import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { type LoadedConfig, userConfigDir } from '../config/load.js';
import { PRESET_NAMES } from '../core/agent-presets.js';
import { installScriptsOf } from '../core/package-manager.js';
import {
  commandsHash,
  type InstallScripts,
  type RepositoryCommand,
  repositoryCommands,
} from '../core/trust.js';
import { UsageError } from '../errors.js';
import { readPackageFiles } from './deps.js';
import { writeFileAtomic } from './files.js';
import { readRecord, wrongField } from './records.js';

/**
 * Approvals of repository commands, kept in the user's own config folder (never in the repository,
 * which is what is being judged): `<user config>/trusted.json`, keyed by the repository's main worktree
 * and the hash of the commands approved there. Several hashes per repository are kept, so switching
 * between branches whose configs differ asks once for each.
 */
interface TrustStore {
  version: 1;
  repositories: Record<string, { hash: string; approvedAt: string; file: string | null }[]>;
}

export const trustStorePath = (env: NodeJS.ProcessEnv) => path.join(userConfigDir(env), 'trusted.json');

/** The facts trust is decided on: the repository, its config's commands and their hash. */
export interface TrustSubject {
  repository: string;
  file: string | null;
  commands: RepositoryCommand[];
  hash: string;
}

export async function trustSubject(loaded: LoadedConfig, mainRoot: string): Promise<TrustSubject> {
  const install = loaded.config.deps === 'none' ? null : await readInstallScripts(mainRoot);
  const file =
    loaded.sources.find((s) => s.scope === 'repository')?.file ??
    (install ? path.join(mainRoot, 'package.json') : null);
  return {
    repository: await realpath(mainRoot).catch(() => mainRoot),
    file,
    commands: repositoryCommands(loaded.repositoryConfig, PRESET_NAMES, install),
    hash: commandsHash(loaded.repositoryConfig, install),
  };
}

/** The install a candidate may get and the project's own lifecycle scripts; null for a project without package.json. */
export async function readInstallScripts(mainRoot: string): Promise<InstallScripts | null> {
  return installScriptsOf(await readPackageFiles(mainRoot));
}

/** Whether the install in a candidate may run lifecycle scripts: approved, or --trust. */
export async function installScriptsApproved(
  subject: TrustSubject,
  options: Pick<TrustOptions, 'env' | 'oneOff'>,
): Promise<boolean> {
  return options.oneOff || (await isApproved(options.env, subject));
}

/**
 * A damaged store stops the command, never silently replaced by an empty one (which would ask again
 * everywhere) nor read in part: an approval list that is not one would crash the check.
 */
async function readStore(env: NodeJS.ProcessEnv): Promise<TrustStore> {
  const store = await readRecord<TrustStore>(
    trustStorePath(env),
    trustStoreProblem,
    'fix it or delete it (every repository then asks again)',
  );
  return store ?? { version: 1, repositories: {} };
}

function trustStoreProblem(value: unknown): string | null {
  const wrong = wrongField(value, { version: 'number', repositories: 'object' });
  if (wrong !== null) return wrong;
  const store = value as TrustStore;
  if (store.version !== 1) return `has version ${JSON.stringify(store.version)}, expected 1`;
  for (const [repository, approvals] of Object.entries(store.repositories)) {
    if (!Array.isArray(approvals) || !approvals.every((a) => wrongField(a, { hash: 'string' }) === null))
      return `has approvals for ${repository} that are not a list of hashes`;
  }
  return null;
}

export async function isApproved(env: NodeJS.ProcessEnv, subject: TrustSubject): Promise<boolean> {
  if (subject.commands.length === 0) return true;
  const store = await readStore(env);
  return (store.repositories[subject.repository] ?? []).some((entry) => entry.hash === subject.hash);
}

export async function recordApproval(
  env: NodeJS.ProcessEnv,
  subject: TrustSubject,
  now: Date,
): Promise<void> {
  const store = await readStore(env);
  const entries = (store.repositories[subject.repository] ?? []).filter(
    (entry) => entry.hash !== subject.hash,
  );
  // The last ten approvals per repository are plenty for branch switching; older ones lapse.
  store.repositories[subject.repository] = [
    ...entries,
    { hash: subject.hash, approvedAt: now.toISOString(), file: subject.file },
  ].slice(-10);
  await writeFileAtomic(trustStorePath(env), `${JSON.stringify(store, null, 2)}\n`);
}

export async function revokeApprovals(env: NodeJS.ProcessEnv, repository: string): Promise<number> {
  const store = await readStore(env);
  const count = store.repositories[repository]?.length ?? 0;
  delete store.repositories[repository];
  await writeFileAtomic(trustStorePath(env), `${JSON.stringify(store, null, 2)}\n`);
  return count;
}

/** The commands as the user reviews them, one per line. */
export function describeCommands(subject: TrustSubject): string[] {
  return subject.commands.map((c) => `  ${c.key}: ${c.command}${c.note ? `  (${c.note})` : ''}`);
}

export interface TrustOptions {
  env: NodeJS.ProcessEnv;
  /** `--trust` (or GIT_PARALLEL_TRUST=1): approve for this one invocation, record nothing. */
  oneOff: boolean;
  /** A terminal to ask on, or null (then an unapproved config is a usage error that says how to approve). */
  ask: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } | null;
  /** What is about to happen, for the question: "start the run add-auth". */
  purpose: string;
  now?: Date;
}

/**
 * How a command asks for approval, the same for every command that runs repository commands: `--trust`,
 * or GIT_PARALLEL_TRUST=1 for scripts and CI jobs, approves for this invocation only; otherwise the
 * user is asked on `terminal` when there is one (the question on stderr, so stdout stays the command's).
 */
export function trustOptions(
  trust: boolean | undefined,
  env: NodeJS.ProcessEnv,
  terminal: NodeJS.ReadableStream | null,
): Omit<TrustOptions, 'purpose'> {
  return {
    env,
    oneOff: Boolean(trust) || env.GIT_PARALLEL_TRUST === '1',
    ask: terminal ? { input: terminal, output: process.stderr } : null,
  };
}

/**
 * Refuses to go on with commands from the repository's config that the user has not approved. On a
 * terminal it shows them and asks once (a yes is recorded); otherwise it fails with exit 2 and says how
 * to approve. Exported for every command that runs repository commands (run, compare's check).
 */
export async function assertTrusted(subject: TrustSubject, options: TrustOptions): Promise<void> {
  if (subject.commands.length === 0 || options.oneOff) return;
  if (await isApproved(options.env, subject)) return;
  const where = subject.file ?? 'the repository config';
  if (!options.ask) {
    const keys = subject.commands.map((c) => c.key).join(', ');
    throw new UsageError(
      `${where} defines commands you have not approved (${keys}); review and approve them with git parallel trust, or pass --trust for this run`,
    );
  }
  const { input, output } = options.ask;
  output.write(
    `${where} asks git-parallel to run these commands:\n${describeCommands(subject).join('\n')}\n`,
  );
  const readline = createInterface({ input, output });
  try {
    const answer = await readline.question(`Trust them for this repository and ${options.purpose}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new UsageError('not approved; nothing was run (git parallel trust approves them later)');
  } finally {
    readline.close();
  }
  await recordApproval(options.env, subject, options.now ?? new Date());
}
