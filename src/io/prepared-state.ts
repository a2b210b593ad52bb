import path from 'node:path';
import { candidateEnv } from '../core/agent-command.js';
import type { RunResources } from '../core/removal-plan.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { writeFileAtomic } from './files.js';
import { describeFailure, endMarkedProcesses, runSteps, type StepFailure } from './hooks.js';
import { dropDatabases, redact } from './postgres.js';
import { readRecord, wrongField } from './records.js';
import { sandboxPrefix } from './sandbox.js';

/**
 * What preparing a run leaves in its state folder, beside run.json:
 *
 *   resources.json       what removing the run must undo: the removal hooks as they were when the run
 *                        was created (and approved), and the PostgreSQL databases created for it
 *   agents/<n>.setup.json  why candidate n's setup failed; the launcher then opens a shell instead of
 *                        starting the agent
 *   logs/<n>-setup.log   everything candidate n's setup printed
 *
 * resources.json holds a RunResources (core/removal-plan.ts).
 */
export type { RunResources };

export interface SetupFailureRecord extends StepFailure {
  candidate: string;
  /** `deps`, `postCreate` or `setup`: which part of preparing failed. */
  step: string;
  /** How it ended, as a sentence fragment: "exited with code 1". */
  how: string;
  at: string;
}

export const resourcesPath = (dir: string) => path.join(dir, 'resources.json');
export const setupFailurePath = (dir: string, n: number) => path.join(dir, 'agents', `${n}.setup.json`);
export const setupLogPath = (dir: string, n: number) => path.join(dir, 'logs', `${n}-setup.log`);
export const removalLogPath = (dir: string, n: number) => path.join(dir, 'logs', `${n}-remove.log`);

export async function writeResources(dir: string, resources: RunResources): Promise<void> {
  // It holds the PostgreSQL URL with its password: the user's alone.
  await writeFileAtomic(resourcesPath(dir), `${JSON.stringify(resources, null, 2)}\n`, 0o600);
}

function resourcesProblem(value: unknown): string | null {
  const wrong = wrongField(value, { hooks: 'object', timeout: 'number' });
  if (wrong !== null) return wrong;
  const { hooks, postgres } = value as { hooks: object; postgres?: unknown };
  const wrongHooks = wrongField(hooks, { preRemove: 'string[]', postRemove: 'string[]' });
  if (wrongHooks !== null) return `hooks ${wrongHooks.replace(/^has /, 'have ')}`;
  if (postgres === null) return null;
  const wrongPostgres = wrongField(postgres, { url: 'string', databases: 'array' });
  if (wrongPostgres !== null) return `postgres ${wrongPostgres}`;
  const databases = (postgres as { databases: unknown[] }).databases;
  return databases.every((d) => wrongField(d, { n: 'number', database: 'string' }) === null)
    ? null
    : 'postgres has a database without n or name';
}

/**
 * What removing the run must undo; null for a run made before it was recorded. A damaged one stops the
 * command: removing the run without it would leave its databases and skip its removal hooks unsaid.
 */
export function readResources(dir: string): Promise<RunResources | null> {
  return readRecord<RunResources>(
    resourcesPath(dir),
    resourcesProblem,
    `it lists the removal hooks and PostgreSQL databases of the run ${path.basename(dir)}, and nothing was changed; repair it, or delete it to remove the run without running those hooks or dropping those databases`,
  );
}

export async function writeSetupFailure(dir: string, n: number, record: SetupFailureRecord): Promise<void> {
  await writeFileAtomic(setupFailurePath(dir, n), `${JSON.stringify(record, null, 2)}\n`);
}

/** Why candidate n's setup failed, or null when it did not (or has not run yet). */
export function readSetupFailure(dir: string, n: number): Promise<SetupFailureRecord | null> {
  return readRecord<SetupFailureRecord>(
    setupFailurePath(dir, n),
    (value) =>
      wrongField(value, {
        step: 'string',
        command: 'string',
        how: 'string',
        tail: 'string[]',
        logFile: 'string',
      }),
    `it records why candidate ${n}'s setup failed; delete it, then git parallel launch ${path.basename(dir)} ${n} starts the agent`,
  );
}

/**
 * Runs one recorded removal hook list for a candidate: preRemove in its worktree (before it is removed),
 * postRemove in the main worktree (after; the candidate's folder is gone by then). Throws a one-line
 * error when a command fails, for removeRunResources to list among what it could not finish.
 */
export async function runRemovalHook(
  resources: RunResources,
  which: 'preRemove' | 'postRemove',
  manifest: RunManifest,
  candidate: Candidate,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const commands = resources.hooks[which];
  if (commands.length === 0) return;
  // Issue 17: in a sandboxed run preRemove runs in the candidate's sandbox, as its setup did. postRemove
  // does not: it runs after the worktree (the one folder a sandbox may write) is gone, and its job is to
  // clean up what lives outside it; it comes from the config recorded when the run was made, in the state
  // folder, which no agent could write.
  const within = which === 'preRemove' ? await sandboxPrefix(manifest, candidate, dir, env) : undefined;
  const failure = await runSteps(commands, {
    cwd: which === 'preRemove' ? candidate.worktree : manifest.repo.root,
    env: { ...env, ...candidateEnv(manifest, candidate) },
    logFile: removalLogPath(dir, candidate.n),
    timeout: resources.timeout,
    within,
  });
  if (failure)
    throw new Error(
      `${which} hook ${JSON.stringify(failure.command)} ${describeFailure(failure)} (log: ${failure.logFile})`,
    );
}

/** What marks the processes a candidate's setup started (see runSteps): its worktree. */
export const setupMark = (candidate: Candidate) => candidate.worktree;

/** Ends what the setup and postCreate commands of the run's candidates left running in the background. */
export async function endSetupProcesses(manifest: RunManifest, env: NodeJS.ProcessEnv): Promise<void> {
  for (const candidate of manifest.candidates) await endMarkedProcesses(setupMark(candidate), env);
}

/** Drops the recorded PostgreSQL databases of the run. */
export async function dropRecordedDatabases(resources: RunResources): Promise<void> {
  if (!resources.postgres || resources.postgres.databases.length === 0) return;
  try {
    await dropDatabases(
      resources.postgres.url,
      resources.postgres.databases.map((d) => d.database),
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (databases ${resources.postgres.databases.map((d) => d.database).join(', ')} on ${redact(resources.postgres.url)})`,
    );
  }
}

/** What a candidate's pane shows instead of starting its agent. */
export function setupFailureLines(
  record: SetupFailureRecord,
  dir: string,
  task: string,
  n: number,
): string[] {
  return [
    `[git-parallel] ${record.step} ${JSON.stringify(record.command)} ${record.how}; the agent was not started.`,
    ...record.tail.map((line) => `    ${line}`),
    `[git-parallel] Full log: ${record.logFile}`,
    `[git-parallel] Once fixed: rm ${setupFailurePath(dir, n)} && git parallel launch ${task} ${n}`,
  ];
}
