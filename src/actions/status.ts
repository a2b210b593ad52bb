import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load.js';
import { detectDialog } from '../core/agent-screens.js';
import {
  type AgentState,
  type AgentStateName,
  deriveAgentState,
  FINISHED_STATES,
  type WatchEvent,
  watchEvents,
} from '../core/agent-state.js';
import { describeUsage } from '../core/agent-usage.js';
import type { RunManifest } from '../core/types.js';
import { latestActivity, observePaneOutput, readWorktreesFacts, type WorktreeFacts } from '../io/activity.js';
import { readHookEvent } from '../io/agent-hooks.js';
import { agentPanesFor } from '../io/agent-panes.js';
import { type CandidateCost, readCandidateCost } from '../io/agent-usage.js';
import { run } from '../io/exec.js';
import { readRepo } from '../io/git.js';
import { isAlive } from '../io/lock.js';
import { type ReviewRunning, reviewRunning } from '../io/review-state.js';
import { listManifests, readAgentRecord, readManifest, requireManifest } from '../io/state.js';
import { which } from '../io/which.js';
import {
  colourWanted,
  formatAge,
  formatTable,
  type Paint,
  painter,
  plain,
  type Reporter,
  SCHEMA_VERSION,
  type Style,
} from '../output/reporter.js';
import { lineupText } from './list-runs.js';

export interface StatusArgs {
  task?: string;
  watch: boolean;
  /** Seconds between `--watch` redraws. */
  interval: number;
}

export interface StatusIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  /** Where `--watch` draws. */
  out: NodeJS.WritableStream;
  /** Whether `out` is a terminal: redraw in place, else one line per change. */
  isTerminal: boolean;
  /** Ends `--watch` (Ctrl-C). */
  signal: AbortSignal;
}

/**
 * One candidate's row: who, what state and why, and its change against the base (WorktreeFacts). The
 * change is named as compare names it (schemas/status.schema.json): commits, filesChanged, added, deleted,
 * uncommitted { changed, untracked } (null when the worktree is gone).
 */
export interface CandidateStatus {
  name: string;
  n: number;
  agent: string;
  branch: string;
  worktree: string;
  state: AgentStateName;
  reason: string;
  exitCode: number | null;
  since: string | null;
  startedAt: string | null;
  /** When the agent finished (exited, or a hook said its turn was done); null while it runs or when unknown. */
  finishedAt: string | null;
  ports: Record<string, number>;
  /** Commits on the branch that the base does not contain; null when the branch is gone. */
  commits: number | null;
  filesChanged: number;
  added: number;
  deleted: number;
  uncommitted: { changed: number; untracked: number } | null;
  /** Issue 16: tokens from the agent's own files (null: unknown) and its wall time. */
  cost?: CandidateCost;
}

export interface RunStatus {
  task: string;
  base: { commit: string; ref: string | null } | null;
  createdAt: string | null;
  agents: string;
  mux: string | null;
  session: string | null;
  sessionAlive: boolean | null;
  problem: string | null;
  /** Issue 17: the run's agents start in a sandbox. */
  sandboxed: boolean;
  candidates: CandidateStatus[];
  /** A `review` of the run running now (null when none, or when its process died). */
  review?: ReviewRunning | null;
}

const SANDBOXED_NOTE = 'sandboxed: each agent can write only its own worktree, its branch and its caches';

/** `git parallel status [<task>] [--json] [--watch]`. */
export async function showStatus(args: StatusArgs, io: StatusIo): Promise<void> {
  const repo = await readRepo(io.cwd);
  const { config, warnings } = await loadConfig(io.cwd, repo.cwdRoot, io.env);
  for (const line of warnings) io.reporter.warn(line);
  // Fail early (exit 2) on an unknown task, before any watching starts.
  if (args.task) await requireManifest(repo.commonDir, args.task);
  /** Null when the watched run went away (picked or removed) while watching. */
  const gather = async (): Promise<RunStatus[] | null> => {
    const now = new Date();
    if (args.task) {
      if ((await readManifest(repo.commonDir, args.task)) === null) return null;
      const { manifest, dir } = await requireManifest(repo.commonDir, args.task);
      return [await runStatus(manifest, dir, { idleSeconds: config.idleSeconds, env: io.env, now })];
    }
    const reads = await listManifests(repo.commonDir);
    return Promise.all(
      reads.map((read) =>
        read.manifest
          ? runStatus(read.manifest, read.dir, { idleSeconds: config.idleSeconds, env: io.env, now })
          : Promise.resolve(damagedRun(read.task, read.problem!)),
      ),
    );
  };

  if (!args.watch) {
    const runs = (await gather()) ?? [];
    // One shape with and without a task: { runs: [...] } (schemas/status.schema.json).
    io.reporter.document({ runs });
    if (args.task) {
      if (!io.reporter.json) {
        for (const line of candidateTable(runs[0]!, new Date(), io.reporter.styleOut))
          io.reporter.print(line);
      }
      if (!io.reporter.json && runs[0]!.sandboxed) io.reporter.print(SANDBOXED_NOTE);
      if (!io.reporter.json && runs[0]!.review) io.reporter.print(reviewNote(runs[0]!.review, new Date()));
    } else {
      if (io.reporter.json) return;
      if (runs.length === 0)
        io.reporter.info('No runs. Start one with: git parallel <task> --agents 3 --prompt "…"');
      else for (const line of runsTable(runs, new Date())) io.reporter.print(line);
    }
    return;
  }
  await watch(args, io, gather);
}

interface GatherOptions {
  idleSeconds: number;
  env: NodeJS.ProcessEnv;
  now: Date;
}

/** Every fact about one run's candidates, gathered in parallel, and their states. */
export async function runStatus(
  manifest: RunManifest,
  dir: string,
  options: GatherOptions,
): Promise<RunStatus> {
  const panes = await agentPanesFor(manifest, options.env);
  const worktrees = readWorktreesFacts(manifest.repo.root, manifest.candidates, manifest.base.commit);
  const [sessionAlive, paneMap] = await Promise.all([panes.sessionAlive(), panes.panes()]);
  // Every live pane's screen in one read (tmux: one process, whatever the number of candidates).
  const screens = panes.contents([...(paneMap?.values() ?? [])].filter((pane) => !pane.dead));
  const candidates = await Promise.all(
    manifest.candidates.map(async (candidate): Promise<CandidateStatus> => {
      const pane = paneMap?.get(candidate.n) ?? null;
      const [record, hook, worktree, content, cost] = await Promise.all([
        readAgentRecord(dir, candidate.n),
        readHookEvent(dir, candidate.n),
        worktrees.get(candidate.n)!,
        pane && !pane.dead ? screens.then((all) => all.get(candidate.n) ?? null) : Promise.resolve(null),
        readCandidateCost(manifest, candidate, dir, options.env, options.now),
      ]);
      const output =
        content === null ? null : await observePaneOutput(dir, candidate.n, content, options.now);
      const files = worktree.lastChange
        ? { earliest: worktree.lastChange, latest: worktree.lastChange }
        : null;
      const state: AgentState = deriveAgentState({
        record,
        hook,
        pane:
          paneMap === null || sessionAlive === false
            ? null
            : pane
              ? { exists: true, dead: pane.dead, deadStatus: pane.deadStatus }
              : { exists: false, dead: false, deadStatus: null },
        sessionAlive,
        processAlive: record && !record.exit && record.pid > 0 ? isAlive(record.pid) : null,
        activity: latestActivity(output, files),
        dialog: content === null ? null : detectDialog(content),
        resendCommand: `git parallel send ${manifest.task} ${candidate.n} --prompt`,
        now: options.now,
        idleSeconds: options.idleSeconds,
        manualStart: manifest.mux.kind === 'none',
      });
      const finishedAt = FINISHED_STATES.includes(state.state)
        ? (record?.exit?.at ?? state.since?.toISOString() ?? null)
        : null;
      return {
        ...toCandidateStatus(
          candidate,
          state,
          { startedAt: record?.startedAt ?? null, finishedAt },
          worktree,
        ),
        cost,
      };
    }),
  );
  return {
    task: manifest.task,
    base: { commit: manifest.base.commit, ref: manifest.base.ref },
    createdAt: manifest.createdAt,
    agents: lineupText(manifest),
    mux: manifest.mux.kind,
    session: manifest.mux.session,
    sessionAlive,
    problem: null,
    sandboxed: manifest.sandbox === true,
    candidates,
    review: await reviewRunning(dir),
  };
}

function toCandidateStatus(
  candidate: RunManifest['candidates'][number],
  state: AgentState,
  times: { startedAt: string | null; finishedAt: string | null },
  worktree: WorktreeFacts,
): CandidateStatus {
  return {
    name: candidate.name,
    n: candidate.n,
    agent: candidate.agent,
    branch: candidate.branch,
    worktree: candidate.worktree,
    state: state.state,
    reason: state.reason,
    exitCode: state.exitCode,
    since: state.since?.toISOString() ?? null,
    ...times,
    ports: candidate.ports,
    commits: worktree.ahead,
    filesChanged: worktree.files,
    added: worktree.added,
    deleted: worktree.removed,
    uncommitted: worktree.worktreeExists
      ? { changed: worktree.uncommitted, untracked: worktree.untracked }
      : null,
  };
}

function damagedRun(task: string, problem: string): RunStatus {
  return {
    task,
    base: null,
    createdAt: null,
    agents: '?',
    mux: null,
    session: null,
    sessionAlive: null,
    problem,
    sandboxed: false,
    candidates: [],
    review: null,
  };
}

/** On a terminal: what needs the user stands out (waiting), finished agents read as passed or failed. */
const STATE_STYLES: Record<AgentStateName, Style | null> = {
  starting: 'dim',
  working: 'cyan',
  idle: 'yellow',
  waiting: 'yellow',
  done: 'green',
  failed: 'red',
  gone: 'dim',
};

/** `failed (3)`, `idle`, `waiting`: the STATE column. */
function stateLabel(c: CandidateStatus): string {
  return c.state === 'failed' && c.exitCode !== null ? `failed (${c.exitCode})` : c.state;
}

/**
 * The TIME column: how long the agent has run, or ran: it stops at the finish. A finished agent whose end
 * is unknown (its pane closed) shows `-` rather than a clock that keeps counting.
 */
function runTime(c: CandidateStatus, now: Date): string {
  if (!c.startedAt) return '-';
  if (FINISHED_STATES.includes(c.state)) {
    return c.finishedAt ? formatAge(new Date(c.startedAt), new Date(c.finishedAt)) : '-';
  }
  return formatAge(new Date(c.startedAt), now);
}

export function candidateTable(run: RunStatus, now: Date, paint: Paint = plain): string[] {
  const rows = run.candidates.map((c) => [
    c.name,
    c.agent,
    paint(STATE_STYLES[c.state], stateLabel(c)),
    runTime(c, now),
    c.commits === null ? '-' : String(c.commits),
    String(c.filesChanged),
    `+${c.added} -${c.deleted}`,
    Object.entries(c.ports)
      .map(([name, port]) => `${name}=${port}`)
      .join(' '),
    describeUsage(c.cost?.tokens ?? null),
    c.reason,
  ]);
  const headers = ['CANDIDATE', 'AGENT', 'STATE', 'TIME', 'AHEAD', 'FILES', '+/-', 'PORTS', 'TOKENS', 'NOTE'];
  return formatTable(headers, rows);
}

export function runsTable(runs: RunStatus[], now: Date): string[] {
  const rows = runs.map((r) => [
    r.task,
    r.sandboxed ? `${r.agents} · sandboxed` : r.agents,
    r.createdAt ? formatAge(new Date(r.createdAt), now) : '?',
    r.problem ? `damaged: ${r.problem}` : `${stateCounts(r)}${r.review ? '; review running' : ''}`,
  ]);
  return formatTable(['TASK', 'AGENTS', 'AGE', 'STATES'], rows);
}

function reviewNote(review: ReviewRunning, now: Date): string {
  return `review running: ${review.agents.join(', ')} for ${formatAge(new Date(review.startedAt), now)} (pid ${review.pid})`;
}

/** `2 working, 1 waiting`, in the order of the states' lifecycle. */
function stateCounts(run: RunStatus): string {
  const order: AgentStateName[] = ['waiting', 'idle', 'working', 'starting', 'done', 'failed', 'gone'];
  const counts = order
    .map((state) => [state, run.candidates.filter((c) => c.state === state).length] as const)
    .filter(([, count]) => count > 0);
  return counts.map(([state, count]) => `${count} ${state}`).join(', ') || 'no candidates';
}

/**
 * `--watch`: on a terminal the table is redrawn in place every interval; otherwise (a pipe, a log) one
 * line is printed per state change, so the output reads as a log. When an agent starts waiting, and
 * when every agent has finished, the terminal bell rings and a desktop notification is sent where
 * `notify-send` (Linux) or `osascript` (macOS) exists. Ctrl-C ends it (exit code 0: stopping a watch is
 * not a failure).
 */
async function watch(
  args: StatusArgs,
  io: StatusIo,
  gather: () => Promise<RunStatus[] | null>,
): Promise<void> {
  const notifier = await desktopNotifier(io.env);
  let previous: Map<string, AgentStateName> | null = null;
  if (io.isTerminal) io.out.write('\x1b[?25l');
  try {
    while (!io.signal.aborted) {
      const runs = await gather();
      if (runs === null) {
        io.reporter.info(`${args.task} is gone (picked or removed); stopped watching.`);
        return;
      }
      const now = new Date();
      const agents = runs.flatMap((r) => r.candidates);
      const events = watchEvents(previous, agents);
      if (io.reporter.json) {
        for (const c of agents.filter((a) => previous?.get(a.name) !== a.state)) {
          io.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, at: now.toISOString(), ...c })}\n`);
        }
      } else if (io.isTerminal) {
        const paint = painter(colourWanted({ isTTY: io.isTerminal }, io.env));
        const lines = args.task
          ? candidateTable(runs[0]!, now, paint)
          : runs.flatMap((r) => [`${r.task}:`, ...candidateTable(r, now, paint), '']);
        io.out.write(`\x1b[H\x1b[J${lines.join('\n')}\n\n${watchFooter(agents, args.interval)}\n`);
      } else {
        for (const c of agents.filter((a) => previous?.get(a.name) !== a.state)) {
          io.out.write(`${clock(now)} ${c.name} ${stateLabel(c)}: ${c.reason}\n`);
        }
      }
      for (const event of events) await announce(event, io, notifier, args.task);
      // Like `gh run watch`: nothing more will change once every agent has finished, so the watch ends.
      if (agents.length > 0 && agents.every((a) => FINISHED_STATES.includes(a.state))) {
        if (previous === null) {
          const text = `all agents${args.task ? ` of ${args.task}` : ''} have finished`;
          if (io.isTerminal || io.reporter.json) io.reporter.info(text);
          else io.out.write(`${clock(now)} ${text}\n`);
        }
        return;
      }
      previous = new Map(agents.map((a) => [a.name, a.state]));
      await sleep(args.interval * 1000, undefined, { signal: io.signal }).catch(() => undefined);
    }
  } finally {
    if (io.isTerminal) io.out.write('\x1b[?25h');
  }
}

function watchFooter(agents: CandidateStatus[], interval: number): string {
  const finished = agents.filter((a) => FINISHED_STATES.includes(a.state)).length;
  return `${finished}/${agents.length} finished · refreshing every ${interval}s · ends when all have finished · Ctrl-C to stop`;
}

async function announce(
  event: WatchEvent,
  io: StatusIo,
  notifier: Notifier | null,
  task: string | undefined,
): Promise<void> {
  const text =
    event.kind === 'waiting'
      ? `${event.name} is waiting for input${event.reason.startsWith('asks: ') ? ` (${event.reason.slice(6)})` : ''}`
      : `all agents${task ? ` of ${task}` : ''} have finished`;
  io.out.write('\x07');
  if (io.isTerminal || io.reporter.json) io.reporter.info(text);
  else io.out.write(`${clock(new Date())} ${text}\n`);
  if (notifier) {
    const result = await notifier(text).catch((error: Error) => ({ exitCode: 1, stderr: error.message }));
    if (result.exitCode !== 0)
      io.reporter.warn(`the desktop notification failed: ${result.stderr.trim().split('\n')[0]}`);
  }
}

type Notifier = (text: string) => Promise<{ exitCode: number; stderr: string }>;

/** `notify-send` (freedesktop) or `osascript` (macOS), whichever exists; null when neither does. */
async function desktopNotifier(env: NodeJS.ProcessEnv): Promise<Notifier | null> {
  const options = { cwd: '/', env, check: false, timeout: 5000 };
  const notifySend = await which('notify-send', '/', env);
  if (notifySend) return (text) => run(notifySend, ['git parallel', text], options);
  const osascript = process.platform === 'darwin' ? await which('osascript', '/', env) : null;
  if (osascript) {
    // AppleScript string literal: backslashes and double quotes escaped; passed as argv, no shell.
    const quote = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    return (text) =>
      run(osascript, ['-e', `display notification ${quote(text)} with title "git parallel"`], options);
  }
  return null;
}

function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}
