import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_VERSION, type RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { pathExists, writeFileAtomic } from './files.js';
import { isAlive, withLock } from './lock.js';
import { inspectRecord, readRecord, wrongField } from './records.js';
import { relocateManifest } from './relocate.js';
import { deleteRunFolder } from './safe-delete.js';

/**
 * The state store. Everything about a run lives in `<git-common-dir>/parallel/<task>/`, so every
 * worktree of the repository sees it and `git status` never shows it:
 *
 *   run.json          the manifest (RunManifest)
 *   prompt.md         the prompt, byte for byte
 *   session.tmux      a tmux command file that recreates the session (for the user to read or source)
 *   agents/<n>.json   what the launcher recorded about candidate n's agent (AgentRecord)
 */
export function stateRoot(commonDir: string): string {
  return path.join(commonDir, 'parallel');
}

export function runDir(commonDir: string, task: string): string {
  return path.join(stateRoot(commonDir), task);
}

export const manifestPath = (dir: string) => path.join(dir, 'run.json');
export const promptPath = (dir: string) => path.join(dir, 'prompt.md');
export const agentRecordPath = (dir: string, n: number) => path.join(dir, 'agents', `${n}.json`);

/** Serialises changes to the repository's runs (slot choice, run creation, removal). */
export function withStateLock<T>(commonDir: string, action: () => Promise<T>): Promise<T> {
  return withLock(path.join(stateRoot(commonDir), '.lock'), async () => {
    await sweepAbandonedStaging(stateRoot(commonDir));
    return action();
  });
}

/**
 * A process killed while it reserved a run or took the lock leaves a hidden folder named with its pid
 * (`.reserving-<pid>-<task>`, `.lock-<pid>-…`, `.deleting-<pid>-<task>`) that nothing reads; once that process is gone it is removed.
 */
async function sweepAbandonedStaging(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const pid = name.match(/^\.(?:reserving|lock|deleting)-(\d+)-/)?.[1];
    if (pid && !isAlive(Number(pid))) await rm(path.join(root, name), { recursive: true, force: true });
  }
}

/**
 * run.json holds each candidate's environment, a database URL with its password among it: it is the
 * user's alone (0600), and so is the state folder (0700), whatever the umask (issue 13 item 7).
 */
export async function writeManifest(dir: string, manifest: RunManifest): Promise<void> {
  await privateFolder(path.dirname(dir));
  await privateFolder(dir);
  await writeFileAtomic(manifestPath(dir), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
}

/** Creates a folder only its owner can enter (0700), or narrows an existing one to that. */
export async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export type ManifestRead = { task: string; dir: string } & (
  | { manifest: RunManifest; problem: null }
  | { manifest: null; problem: string }
);

/** Reads one run's manifest; a missing run is null, a damaged one is reported, never guessed at. */
export function readManifest(commonDir: string, task: string): Promise<ManifestRead | null> {
  return readManifestAt(runDir(commonDir, task), task);
}

export async function readManifestAt(dir: string, task: string): Promise<ManifestRead | null> {
  const read = await inspectRecord<RunManifest>(manifestPath(dir), manifestProblem);
  if (read === null) {
    const entries = await readdir(dir).catch(() => null);
    return entries === null ? null : { task, dir, manifest: null, problem: 'run.json is missing' };
  }
  return read.problem !== null
    ? { task, dir, manifest: null, problem: read.problem }
    : { task, dir, manifest: await relocateManifest(read.value, dir), problem: null };
}

/** Like readManifest, but a missing or damaged run is a usage error that says what to do. */
export function requireManifest(
  commonDir: string,
  task: string,
): Promise<{ manifest: RunManifest; dir: string }> {
  return requireManifestAt(runDir(commonDir, task), task);
}

export async function requireManifestAt(
  dir: string,
  task: string,
): Promise<{ manifest: RunManifest; dir: string }> {
  return usableRun(await readManifestAt(dir, task), task);
}

/** A run that was read, or a usage error that says what to do when it is missing or damaged. */
export function usableRun(read: ManifestRead | null, task: string): { manifest: RunManifest; dir: string } {
  if (!read) throw new UsageError(`no run named ${JSON.stringify(task)}; see git parallel list`);
  if (read.problem !== null) {
    throw new UsageError(
      `the run ${task} is damaged: ${read.problem}; git parallel rm ${task} --force cleans it up`,
    );
  }
  return { manifest: read.manifest, dir: read.dir };
}

export async function listManifests(commonDir: string): Promise<ManifestRead[]> {
  const entries = await readdir(stateRoot(commonDir), { withFileTypes: true }).catch(() => []);
  const tasks = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const reads = await Promise.all(tasks.sort().map((task) => readManifest(commonDir, task)));
  return reads.filter((r): r is ManifestRead => r !== null);
}

/** Deletes a run's state folder `<common-dir>/parallel/<task>`, and nothing else (see safe-delete.ts). */
export async function removeRunState(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  if (path.basename(parent) !== 'parallel')
    throw new CommandFailure(`refusing to delete ${dir}: it is not a run's state folder`);
  const folders = { commonDir: path.dirname(parent), mainRoot: '', task: path.basename(dir), worktrees: [] };
  await deleteRunFolder(folders, dir);
}

function manifestProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'does not hold an object';
  const m = value as Partial<RunManifest>;
  if (m.version !== MANIFEST_VERSION)
    return `has version ${JSON.stringify(m.version)}, expected ${MANIFEST_VERSION}`;
  if (typeof m.task !== 'string') return 'has no task';
  if (!m.base || typeof m.base.commit !== 'string') return 'has no base commit';
  if (!m.mux || typeof m.mux.kind !== 'string') return 'has no multiplexer';
  // Issue 10 F9: a session that is not a name would be "ended" by rm without ending anything.
  if (m.mux.session !== null && typeof m.mux.session !== 'string')
    return 'has a multiplexer session that is not a name';
  if (!Array.isArray(m.candidates)) return 'has no candidates';
  for (const c of m.candidates) {
    if (typeof c?.n !== 'number' || typeof c.worktree !== 'string' || typeof c.branch !== 'string') {
      return 'has a candidate without n, worktree or branch';
    }
    if (typeof c.ports !== 'object' || c.ports === null) return `candidate ${c.n} has no ports`;
  }
  return null;
}

/** What the launcher records about one agent process. */
export interface AgentRecord {
  pid: number;
  startedAt: string;
  /** Absent while the agent runs. */
  exit?: { code: number | null; signal: string | null; at: string };
}

function agentRecordProblem(value: unknown): string | null {
  const wrong = wrongField(value, { pid: 'number', startedAt: 'string' });
  if (wrong !== null) return wrong;
  const exit = (value as { exit?: unknown }).exit;
  if (exit === undefined || wrongField(exit, { at: 'string' }) === null) return null;
  return 'has an exit that is not one (no time)';
}

/** Null before the candidate's agent was started. */
export function readAgentRecord(dir: string, n: number): Promise<AgentRecord | null> {
  return readRecord<AgentRecord>(
    agentRecordPath(dir, n),
    agentRecordProblem,
    `it records candidate ${n}'s agent process; delete it (git parallel launch ${path.basename(dir)} ${n} starts the agent again and records it anew)`,
  );
}

/**
 * A launcher records its agent's start and end in the run's state folder, as it knew it when the pane
 * started. When that folder is gone (the run was removed, or the repository moved and the record's path
 * is the old one), the record has nowhere to go: writing it would recreate a stray `.git/parallel` at a
 * path the user emptied (issue 10 F8), so it is dropped.
 */
export async function writeAgentRecord(dir: string, n: number, record: AgentRecord): Promise<void> {
  if (!(await pathExists(dir))) return;
  await writeFileAtomic(agentRecordPath(dir, n), `${JSON.stringify(record)}\n`);
}
