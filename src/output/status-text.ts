import { type AgentStateName, FINISHED_STATES } from '../core/agent-state.js';
import { describeUsage } from '../core/agent-usage.js';
import type { ReviewRunning } from '../core/review-verdict.js';
import type { CandidateStatus, RunStatus } from '../core/run-status.js';
import { formatAge, formatTable, type Paint, plain, type Style } from './reporter.js';

/** How `status` shows runs and candidates: the tables, the notes under them and `--watch`'s lines. */

export const SANDBOXED_NOTE =
  'sandboxed: each agent can write only its own worktree, its branch and its caches';

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
export function stateLabel(c: CandidateStatus): string {
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

export function reviewNote(review: ReviewRunning, now: Date): string {
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

export function watchFooter(agents: CandidateStatus[], interval: number): string {
  const finished = agents.filter((a) => FINISHED_STATES.includes(a.state)).length;
  return `${finished}/${agents.length} finished · refreshing every ${interval}s · ends when all have finished · Ctrl-C to stop`;
}

export function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}
