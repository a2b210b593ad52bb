import path from 'node:path';
import { detectDialog, detectTurnError } from '../core/agent-screens.js';
import { type AgentState, deriveAgentState, FINISHED_STATES } from '../core/agent-state.js';
import { lineupText } from '../core/lineup.js';
import type { CandidateStatus, RunStatus } from '../core/run-status.js';
import type { RunManifest } from '../core/types.js';
import { latestActivity, observePaneOutput, readWorktreesFacts, type WorktreeFacts } from '../io/activity.js';
import { readHookEvent } from '../io/agent-hooks.js';
import { agentPanesFor } from '../io/agent-panes.js';
import { readCandidateCost } from '../io/agent-usage.js';
import { isAlive } from '../io/lock.js';
import { DamagedRecord } from '../io/records.js';
import { reviewRunning } from '../io/review-state.js';
import { listManifests, readAgentRecord, readManifest, requireManifest } from '../io/state.js';
import type { Reporter } from '../output/reporter.js';
import { candidateTable, reviewNote, runsTable, SANDBOXED_NOTE } from '../output/status-text.js';
import { openContext } from './context.js';
import { watch } from './status-watch.js';

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

/** `git parallel status [<task>] [--json] [--watch]`. */
export async function showStatus(args: StatusArgs, io: StatusIo): Promise<void> {
  const { repo, loaded } = await openContext(io.cwd, io.env, (line) => io.reporter.warn(line));
  const { config } = loaded;
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
          ? runStatus(read.manifest, read.dir, { idleSeconds: config.idleSeconds, env: io.env, now }).catch(
              // One run's damaged record (an agent's start/exit record) shows as that run's problem, as a
              // damaged run.json does: the summary of the others still prints. `status <task>` names it.
              (error: unknown) => {
                if (!(error instanceof DamagedRecord)) throw error;
                return damagedRun(read.task, `${path.basename(error.file)} ${error.problem}`);
              },
            )
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
        turnError: content === null ? null : detectTurnError(content),
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
