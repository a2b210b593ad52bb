import { createHash } from 'node:crypto';
import { lstat, open, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { type CheckOutcome, describeCheck, type RecordedCheck } from '../core/compare-checks.js';
import { formatStepDuration } from '../core/durations.js';
import { createLiveLines, liveProgressWanted } from '../output/live-progress.js';
import { pathExists, writeFileAtomic } from './files.js';
import { ignoredEntries } from './git.js';
import { withLock } from './lock.js';
import { readRecord, wrongField } from './records.js';
import { runShell } from './shell-run.js';
import { snapshotTree } from './snapshot.js';

/**
 * The project's own check (`compare --check "npm test"` or `check` in config), run in every candidate's
 * worktree at once, each with the candidate's environment (its ports, GIT_PARALLEL_*), a timeout, and its
 * output in a log file. Results are kept in the run's state so `compare` can show them again without
 * re-running:
 *
 *   <state>/checks.json     { version, command, results: { "<n>": CheckResult } }
 *   <state>/checks/<n>.log  everything the check printed in candidate n's worktree (the latest run)
 */
export interface CheckResult extends RecordedCheck, CheckOutcome {
  n: number;
}

export interface ChecksFile {
  version: 1;
  /** The command the results belong to: a different command starts a fresh file. */
  command: string;
  results: Record<string, CheckResult>;
}

export const checksPath = (stateDir: string) => path.join(stateDir, 'checks.json');
export const checkLogPath = (stateDir: string, n: number) => path.join(stateDir, 'checks', `${n}.log`);

/**
 * The recorded results; null when none were recorded. A damaged file stops compare (see readRecord)
 * rather than pass for "no results", which would hide that it is not what compare wrote.
 */
export function readChecks(stateDir: string): Promise<ChecksFile | null> {
  return readRecord<ChecksFile>(
    checksPath(stateDir),
    (value) =>
      wrongField(value, { command: 'string', results: 'object' }) ??
      ((value as { version?: unknown }).version === 1 ? null : 'is not of version 1'),
    'it holds the recorded check results; delete it, and git parallel compare runs the checks again',
  );
}

/**
 * Adds results to checks.json. Results recorded for another command are dropped (they answer another
 * question). Under a lock, so two `compare` runs finishing together both keep their results.
 */
export async function recordChecks(
  stateDir: string,
  command: string,
  results: CheckResult[],
): Promise<ChecksFile> {
  const unsaved = (): ChecksFile => ({
    version: 1,
    command,
    results: Object.fromEntries(results.map((r) => [String(r.n), r])),
  });
  // The run may have been removed while its checks ran (`rm` during `compare`): then nothing is saved,
  // so that compare never brings a removed run's state folder back.
  const runExists = () => pathExists(path.join(stateDir, 'run.json'));
  if (!(await runExists())) return unsaved();
  const saved = await withLock(path.join(stateDir, 'checks.lock'), async () => {
    if (!(await runExists())) return null;
    const previous = await readChecks(stateDir);
    const kept = previous?.command === command ? previous.results : {};
    const file: ChecksFile = { version: 1, command, results: { ...kept } };
    for (const result of results) file.results[String(result.n)] = result;
    await writeFileAtomic(checksPath(stateDir), `${JSON.stringify(file, null, 2)}\n`);
    return file;
  });
  if (saved) return saved;
  await rmdir(stateDir).catch(() => {});
  return unsaved();
}

/** One check to run: a candidate's worktree, its environment, and the snapshot of its content. */
export interface CheckJob {
  n: number;
  name: string;
  worktree: string;
  env: NodeJS.ProcessEnv;
  tree: string;
  /** ignoredFilesDigest of the worktree before the check. */
  ignored: string;
  /** Issue 17: a sandboxed run's check runs inside the candidate's sandbox. */
  within?: string[];
}

export interface CheckProgress {
  started(job: CheckJob): void;
  finished(job: CheckJob, result: CheckResult): void;
  /** Stops any redrawing; the final state stays on screen. */
  close(): void;
}

/**
 * Runs `command` in every job's worktree at the same time (checks are usually I/O- or test-runner-bound,
 * and each candidate has its own ports, so they do not collide). The log is started afresh for every run.
 * When `signal` aborts (Ctrl-C), every check's process group is stopped.
 */
export async function runChecks(request: {
  stateDir: string;
  command: string;
  timeoutMs: number;
  jobs: CheckJob[];
  progress: CheckProgress;
  signal?: AbortSignal;
}): Promise<CheckResult[]> {
  const { stateDir, command, jobs, progress } = request;
  // Every check ends before a failure is reported, so its message is the last thing printed.
  const settled = await Promise.allSettled(
    jobs.map(async (job) => {
      const logFile = checkLogPath(stateDir, job.n);
      // 0600, as the setup logs: a check prints what it likes, the candidate's DATABASE_URL and .env included.
      await writeFileAtomic(logFile, `$ ${command}\n# in ${job.worktree}\n`, 0o600);
      const startedAt = new Date();
      progress.started(job);
      const outcome = await runShell(command, {
        cwd: job.worktree,
        env: job.env,
        logFile,
        timeout: request.timeoutMs,
        signal: request.signal,
        killGroupOnExit: true,
        within: job.within,
      });
      const finishedAt = new Date(startedAt.getTime() + outcome.durationMs);
      // The content after the check: the same tree unless the check wrote files that are not ignored.
      const [treeAfter, ignoredAfter] = await Promise.all([
        snapshotTree(job.worktree).catch(() => null),
        ignoredFilesDigest(job.worktree).catch(() => null),
      ]);
      const result: CheckResult = {
        n: job.n,
        command,
        tree: job.tree,
        treeAfter,
        ignored: job.ignored,
        ignoredAfter,
        passed: outcome.exitCode === 0 && !outcome.timedOut,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: outcome.durationMs,
        logFile,
      };
      progress.finished(job, result);
      return result;
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<CheckResult>).value);
}

/**
 * A digest of a worktree's ignored files, which a check may read (`.env`, generated config, installed
 * dependencies) though the content snapshot leaves them out: each ignored file's path, type, size and
 * modification time, and each wholly ignored folder (`node_modules/`) by its own modification time, which
 * changes when entries are added to it or removed — not by walking it, which could take seconds.
 */
export async function ignoredFilesDigest(worktree: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of (await ignoredEntries(worktree)).sort()) {
    const info = await lstat(path.join(worktree, entry)).catch(() => null);
    hash.update(`${entry}\0${info ? `${info.mode} ${info.size} ${info.mtimeMs}` : 'gone'}\0`);
  }
  return hash.digest('hex');
}

/**
 * Live progress on `stream` (stderr). On a terminal (and not in CI): one line per candidate, redrawn in
 * place every second and on every change. Otherwise (a pipe, a CI log): one line per change, so logs
 * read top to bottom.
 */
export function createCheckProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  jobs: CheckJob[],
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
): CheckProgress {
  if (!liveProgressWanted(stream, env)) {
    return {
      started: (job) => stream.write(`${job.name}: check started\n`),
      finished: (job, result) => stream.write(`${job.name}: check ${describeCheck(result)}\n`),
      close: () => {},
    };
  }
  const lines = createLiveLines(
    jobs.map((job) => job.name),
    { stream, live: true },
  );
  const running = new Map<CheckJob, number>();
  const tick = () => {
    for (const [job, since] of running)
      lines.update(job.name, `running ${formatStepDuration(now() - since)}`);
  };
  const timer = setInterval(tick, 1000);
  timer.unref();
  return {
    started: (job) => {
      running.set(job, now());
      tick();
    },
    finished: (job, result) => {
      running.delete(job);
      lines.update(job.name, describeCheck(result));
    },
    close: () => {
      clearInterval(timer);
      lines.finish();
    },
  };
}

/** How much of a check log's end the report shows: enough for a stack trace, never a 20 MB line. */
export const LOG_TAIL_BYTES = 16 * 1024;

/**
 * The last `maxBytes` of a check log (reading only those), with a note when the start was cut; null
 * when the log is missing. A cut can split a UTF-8 character at the start; the decoder shows it as �.
 */
export async function readLogTail(file: string, maxBytes = LOG_TAIL_BYTES): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    return size > maxBytes ? `[… the first ${size - maxBytes} bytes of the log are cut]\n${text}` : text;
  } finally {
    await handle.close();
  }
}
