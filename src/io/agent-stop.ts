import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunManifest } from '../core/types.js';
import { run } from './exec.js';
import type { MuxDriver } from './mux.js';
import { readAgentRecord } from './state.js';

/**
 * Ends a run's agents and waits for them, before `rm` and `pick` look for work to lose (issue 10 F4):
 * what an agent writes as it exits (a commit on SIGHUP) must be seen by the final check and kept.
 *
 *   1. Hang up: end the run's own multiplexer session, which hangs up every pane's terminal (the kernel
 *      sends SIGHUP to the pane's process group, the agent's included). A run without a session of its
 *      own (Zellij --tab, --mux none, a session already gone) gets SIGHUP sent to each agent's group.
 *   2. Wait up to `graceMs` for each agent's process group to empty (the agent and what it started in
 *      its group, e.g. the `git commit` it runs as it exits).
 *   3. Then SIGTERM the groups still there, wait `termMs`; then SIGKILL them, wait `killMs`.
 *
 * The agents are found from the launcher's records (`agents/<n>.json`: pid, start time, no exit yet); a
 * pid is signalled only when a process with that pid started no later than the record says (a pid can
 * be reused), and never through this process's own group (a script that started `git parallel launch`
 * itself shares it): then only the agent's own pid is signalled.
 */
export interface StopTimings {
  graceMs: number;
  termMs: number;
  killMs: number;
}

export const STOP_TIMINGS: StopTimings = { graceMs: 3000, termMs: 2000, killMs: 2000 };

export interface StopResult {
  /** Candidates whose agent was running when asked to stop. */
  stopped: number[];
  /** Those that did not end after the hang-up and had to be terminated or killed. */
  forced: number[];
  /** Those still running after SIGKILL (a process another user owns, an uninterruptible sleep). */
  survivors: number[];
}

interface Target {
  n: number;
  pid: number;
  /** The process group to wait for and signal, or null to use the pid alone. */
  group: number | null;
}

export async function stopAgents(
  manifest: RunManifest,
  dir: string,
  driver: MuxDriver,
  env: NodeJS.ProcessEnv,
  timings: StopTimings = STOP_TIMINGS,
): Promise<StopResult> {
  const targets = await liveAgents(manifest, dir, env);
  const session = manifest.mux.session;
  const ownSession = session !== null && !manifest.mux.tab && (await driver.sessionExists(session));
  if (ownSession) await driver.killSession(session);
  else for (const target of targets) signal(target, 'SIGHUP');

  const forced: number[] = [];
  let alive = await waitUntilGone(targets, timings.graceMs, env);
  for (const [sig, ms] of [
    ['SIGTERM', timings.termMs],
    ['SIGKILL', timings.killMs],
  ] as const) {
    if (alive.length === 0) break;
    for (const target of alive) {
      if (!forced.includes(target.n)) forced.push(target.n);
      signal(target, sig);
    }
    alive = await waitUntilGone(alive, ms, env);
  }
  // Every agent that was running and has ended, hung up or forced: none of its git commands runs any more.
  const ended = targets.map((t) => t.n).filter((n) => !alive.some((t) => t.n === n));
  await clearStaleLocks(manifest.candidates.filter((c) => ended.includes(c.n)));
  return { stopped: targets.map((t) => t.n), forced, survivors: alive.map((t) => t.n) };
}

/** The run's agents that are still running, with the group each can be waited for by. */
async function liveAgents(manifest: RunManifest, dir: string, env: NodeJS.ProcessEnv): Promise<Target[]> {
  const records = await Promise.all(manifest.candidates.map((c) => readAgentRecord(dir, c.n)));
  const recorded = manifest.candidates
    .map((c, i) => ({ n: c.n, record: records[i] }))
    .filter((r) => r.record && !r.record.exit && r.record.pid > 1);
  if (recorded.length === 0) return [];
  const table = await processTable(env);
  const ownGroup = table.get(process.pid)?.pgid ?? null;
  const targets: Target[] = [];
  for (const { n, record } of recorded) {
    const facts = table.get(record!.pid);
    if (!facts || facts.zombie) continue;
    // A process that started after the launcher recorded the agent is another program with a reused pid.
    const recordedAt = Date.parse(record!.startedAt);
    if (Number.isFinite(facts.startedAt) && facts.startedAt > recordedAt + 2000) continue;
    const group = facts.pgid > 1 && facts.pgid !== ownGroup ? facts.pgid : null;
    targets.push({ n, pid: record!.pid, group });
  }
  return targets;
}

interface ProcessFacts {
  pid: number;
  pgid: number;
  startedAt: number;
  /** A zombie has ended; it only waits for its parent to collect its exit status. */
  zombie: boolean;
}

/** pid → process group, state and start time, from one `ps` call (the same options on Linux and macOS). */
async function processTable(env: NodeJS.ProcessEnv): Promise<Map<number, ProcessFacts>> {
  const result = await run('ps', ['-A', '-o', 'pid=,pgid=,stat=,lstart='], {
    cwd: '/',
    // lstart in English and local time, which Date.parse reads as local time too.
    env: { ...env, LC_ALL: 'C' },
  }).catch(async (error: unknown) => {
    // A slim container may have no `ps` (procps): Linux's /proc tells the same, less the start time.
    const fromProc = await procTable();
    if (fromProc) return fromProc;
    throw error;
  });
  if (result instanceof Map) return result;
  const table = new Map<number, ProcessFacts>();
  for (const line of result.stdout.split('\n')) {
    const match = line.trim().match(/^(\d+)\s+(\d+)\s+(\S+)\s+(.+)$/);
    if (!match) continue;
    const pid = Number(match[1]);
    table.set(pid, {
      pid,
      pgid: Number(match[2]),
      zombie: match[3]!.startsWith('Z'),
      startedAt: Date.parse(match[4]!),
    });
  }
  return table;
}

/** The process table from /proc (Linux), or null without one; start times are unknown (NaN) there. */
async function procTable(): Promise<Map<number, ProcessFacts> | null> {
  const entries = await readdir('/proc').catch(() => null);
  if (entries === null) return null;
  const table = new Map<number, ProcessFacts>();
  for (const entry of entries.filter((e) => /^\d+$/.test(e))) {
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!fields || fields.length < 3) continue;
    const pid = Number(entry);
    table.set(pid, { pid, pgid: Number(fields[2]), zombie: fields[0] === 'Z', startedAt: Number.NaN });
  }
  return table;
}

/**
 * An agent killed in the middle of a git command leaves that command's lock behind (`index.lock`,
 * `HEAD.lock`, the branch's ref lock), and every later git command in the worktree, pick's `git add --all` among them, then
 * fails with "remove the file manually". Once every process of the agent's group has ended, nothing
 * can hold those locks any more, so they are stale: remove them, as git's own advice says.
 */
async function clearStaleLocks(candidates: RunManifest['candidates']): Promise<void> {
  for (const candidate of candidates) {
    const dotGit = await readFile(path.join(candidate.worktree, '.git'), 'utf8').catch(() => null);
    const gitDir = dotGit?.match(/^gitdir: (.+)$/m)?.[1];
    if (!gitDir) continue;
    const dir = path.resolve(candidate.worktree, gitDir);
    const common = (await readFile(path.join(dir, 'commondir'), 'utf8').catch(() => null))?.trim();
    const locks = [path.join(dir, 'index.lock'), path.join(dir, 'HEAD.lock')];
    // A commit also locks the branch it moves, in the common folder.
    if (common) locks.push(path.join(path.resolve(dir, common), 'refs', 'heads', `${candidate.branch}.lock`));
    await Promise.all(locks.map((lock) => rm(lock, { force: true })));
  }
}

function signal(target: Target, sig: NodeJS.Signals): void {
  try {
    process.kill(target.group === null ? target.pid : -target.group, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours to signal; it shows up as a survivor.
  }
}

/**
 * The targets with a living process left: the agent itself or, for a group, any member that is not a
 * zombie (an agent whose launcher died first is reparented, and its zombie can linger until collected).
 */
async function stillAlive(targets: Target[], env: NodeJS.ProcessEnv): Promise<Target[]> {
  if (targets.length === 0) return [];
  const living = [...(await processTable(env)).values()].filter((p) => !p.zombie);
  return targets.filter((t) => living.some((p) => (t.group === null ? p.pid === t.pid : p.pgid === t.group)));
}

async function waitUntilGone(targets: Target[], ms: number, env: NodeJS.ProcessEnv): Promise<Target[]> {
  const deadline = Date.now() + ms;
  let alive = await stillAlive(targets, env);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = await stillAlive(alive, env);
  }
  return alive;
}
