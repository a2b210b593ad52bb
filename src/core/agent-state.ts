/**
 * What an agent is doing, derived from facts gathered elsewhere (launcher record, hook events, pane,
 * activity). Pure: the same facts always give the same state, so every rule is table-tested.
 *
 *   starting  the launcher has not started the agent yet
 *   working   output or file changes within the last `idleSeconds`
 *   idle      no output and no file change for `idleSeconds` (probably waiting for input)
 *   waiting   the agent itself said it needs input (a Notification hook), or its screen shows a known
 *             dialog (a permission prompt, folder trust, sign-in)
 *   done      exited 0, or the agent said it finished its turn (a Stop/notify hook)
 *   failed    exited non-zero (or was killed), or its turn ended in an API error (a StopFailure hook, or
 *             the agent's own error line, last on its screen, for agents that report no failed turn)
 *   gone      its pane or session is missing, or its process vanished without an exit record
 */
import type { ScreenDialog } from './agent-screens.js';
import { formatAge } from './durations.js';

export type AgentStateName = 'starting' | 'working' | 'idle' | 'waiting' | 'done' | 'failed' | 'gone';

export const FINISHED_STATES: readonly AgentStateName[] = ['done', 'failed', 'gone'];

/** The launcher's record (the shape of AgentRecord in io/state.ts, restated so core needs no io). */
export interface LauncherRecord {
  pid: number;
  startedAt: string;
  exit?: { code: number | null; signal: string | null; at: string };
}

/** What an agent's own hook reported (Claude Code Notification/Stop/StopFailure/UserPromptSubmit, Codex notify). */
/** What an agent's hooks report. */
export const HOOK_EVENTS = ['waiting', 'done', 'working', 'failed'] as const;

export interface HookEvent {
  event: (typeof HOOK_EVENTS)[number];
  at: Date;
  /** The agent's own words, e.g. "Claude needs your permission to use Bash". */
  message?: string;
}

export interface PaneFacts {
  exists: boolean;
  /** The pane's program (our launcher) has exited; tmux keeps the pane with remain-on-exit. */
  dead: boolean;
  deadStatus: number | null;
}

/**
 * When the last output or file change happened. Pane output is polled, so a change is only known to
 * lie between two observations: `earliest` is the last observation that still saw the old screen,
 * `latest` the one that saw the new screen. Idle detection uses `latest` (never idle too early); a hook
 * event is overridden only by activity whose `earliest` is clearly after it (never too eagerly).
 */
export interface Activity {
  earliest: Date;
  latest: Date;
}

export interface AgentFacts {
  record: LauncherRecord | null;
  hook: HookEvent | null;
  /** Null when the run has no multiplexer or the multiplexer cannot say. */
  pane: PaneFacts | null;
  /** Null when unknown (no multiplexer session recorded). */
  sessionAlive: boolean | null;
  /** Whether the recorded agent pid still runs; null when unknown. */
  processAlive: boolean | null;
  activity: Activity | null;
  /** A known dialog on the agent's screen (see core/agent-screens.ts); null when none or unknown. */
  dialog?: ScreenDialog | null;
  /** The API error that ended its last turn, from its screen (see core/agent-screens.ts); null when none. */
  turnError?: string | null;
  /** The command that sends the candidate's prompt again, for a dialog that dropped it. */
  resendCommand?: string;
  now: Date;
  idleSeconds: number;
  /** `--mux none`: nothing starts the agent until the user runs the launch command. */
  manualStart: boolean;
}

export interface AgentState {
  state: AgentStateName;
  /** One short phrase for people: why this state. */
  reason: string;
  /** The exit code for done/failed when the agent exited; null otherwise. */
  exitCode: number | null;
  /** When the agent entered this state, where known. */
  since: Date | null;
}

/**
 * A hook event stays true until activity clearly later than it shows the agent moved on (the user
 * answered in the pane). The grace covers the screen redraw that accompanies the event itself.
 */
export const HOOK_GRACE_MS = 5_000;

export function deriveAgentState(facts: AgentFacts): AgentState {
  const { record, now } = facts;
  if (record?.exit) {
    const at = new Date(record.exit.at);
    if (record.exit.code === 0) return { state: 'done', reason: 'exited 0', exitCode: 0, since: at };
    if (record.exit.signal)
      return {
        state: 'failed',
        reason: `killed by ${record.exit.signal}`,
        exitCode: record.exit.code,
        since: at,
      };
    return {
      state: 'failed',
      reason: `exited with code ${record.exit.code}`,
      exitCode: record.exit.code,
      since: at,
    };
  }
  if (facts.sessionAlive === false)
    return { state: 'gone', reason: 'its session is gone', exitCode: null, since: null };
  if (facts.pane && !facts.pane.exists)
    return { state: 'gone', reason: 'its pane was closed', exitCode: null, since: null };
  if (facts.pane?.dead) {
    // The launcher records the exit before it ends, so this is a launcher that died on its own.
    const status = facts.pane.deadStatus;
    if (status === 0)
      return { state: 'done', reason: "the pane's program exited 0", exitCode: 0, since: null };
    return {
      state: 'failed',
      reason: `the pane's program exited with code ${status ?? '?'}`,
      exitCode: status,
      since: null,
    };
  }
  if (record === null) {
    const reason = facts.manualStart
      ? 'not started (start it with the launch command)'
      : 'the agent is starting';
    return { state: 'starting', reason, exitCode: null, since: null };
  }
  if (facts.processAlive === false) {
    return {
      state: 'gone',
      reason: `its process ${record.pid} ended without an exit record`,
      exitCode: null,
      since: null,
    };
  }

  const startedAt = new Date(record.startedAt);
  // A dialog on screen is what the agent waits at now, whatever it reported before.
  if (facts.dialog) {
    const what =
      facts.dialog.kind === 'permission'
        ? 'permission'
        : facts.dialog.kind === 'trust'
          ? 'trust dialog'
          : 'login';
    const resend = facts.dialog.dropsPrompt
      ? ` (it drops the prompt there: once signed in, ${facts.resendCommand ?? 'git parallel send <task> <n> --prompt'})`
      : '';
    return {
      state: 'waiting',
      reason: `${what}: ${facts.dialog.what}${resend}`,
      exitCode: null,
      since: null,
    };
  }
  const hook = currentHook(facts.hook, startedAt, facts.activity);
  if (hook?.event === 'failed') {
    return {
      state: 'failed',
      reason: hook.message ? `its turn ended in an error: ${hook.message}` : 'its turn ended in an API error',
      exitCode: null,
      since: hook.at,
    };
  }
  // Drawn by an agent whose hooks say "done" for a failed turn too (Gemini CLI's AfterAgent).
  if (facts.turnError) {
    return {
      state: 'failed',
      reason: `its turn ended in an API error: ${facts.turnError}`,
      exitCode: null,
      since: hook?.at ?? null,
    };
  }
  if (hook?.event === 'waiting') {
    return {
      state: 'waiting',
      reason: hook.message ? `asks: ${hook.message}` : 'waiting for input',
      exitCode: null,
      since: hook.at,
    };
  }
  if (hook?.event === 'done') {
    return { state: 'done', reason: 'finished its turn (still running)', exitCode: null, since: hook.at };
  }

  const lastActivity =
    facts.activity && facts.activity.latest > startedAt ? facts.activity.latest : startedAt;
  const quietMs = now.getTime() - lastActivity.getTime();
  if (quietMs >= facts.idleSeconds * 1000) {
    return {
      state: 'idle',
      reason: `no output or file change for ${formatAge(quietMs)}`,
      exitCode: null,
      since: lastActivity,
    };
  }
  return { state: 'working', reason: 'output or file changes', exitCode: null, since: lastActivity };
}

/**
 * The event to keep when an agent reports a new one. Claude Code sends a Notification ("waiting for your
 * input") about a minute after a turn ended (Stop) when nobody answered: that reminder is not news, the
 * agent is still done with its turn. Anything from before the agent's current start is stale.
 */
export function nextHookEvent(
  current: HookEvent | null,
  incoming: HookEvent,
  startedAt: Date | null,
): HookEvent {
  const fresh = current !== null && (startedAt === null || current.at >= startedAt);
  if (fresh && current.event === 'done' && incoming.event === 'waiting') return current;
  return incoming;
}

/** The hook event that still holds: from this agent start, not overtaken by later activity. */
function currentHook(hook: HookEvent | null, startedAt: Date, activity: Activity | null): HookEvent | null {
  if (!hook || hook.at < startedAt) return null;
  if (activity && activity.earliest.getTime() > hook.at.getTime() + HOOK_GRACE_MS) return null;
  return hook;
}

/** What `status --watch` announces (bell + desktop notification). */
export type WatchEvent = { kind: 'waiting'; name: string; reason: string } | { kind: 'all-finished' };

/**
 * The announcements between two frames: an agent that starts waiting, and the moment every agent is
 * finished. The first frame announces nothing: watching starts quietly, whatever the agents are doing.
 */
export function watchEvents(
  previous: ReadonlyMap<string, AgentStateName> | null,
  current: readonly { name: string; state: AgentStateName; reason: string }[],
): WatchEvent[] {
  if (previous === null) return [];
  const events: WatchEvent[] = [];
  for (const agent of current) {
    if (agent.state === 'waiting' && previous.get(agent.name) !== 'waiting') {
      events.push({ kind: 'waiting', name: agent.name, reason: agent.reason });
    }
  }
  const finished = (state: AgentStateName | undefined) =>
    state !== undefined && FINISHED_STATES.includes(state);
  const allNow = current.length > 0 && current.every((agent) => finished(agent.state));
  const allBefore = current.length > 0 && current.every((agent) => finished(previous.get(agent.name)));
  if (allNow && !allBefore) events.push({ kind: 'all-finished' });
  return events;
}
