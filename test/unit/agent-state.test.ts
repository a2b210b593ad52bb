import { describe, expect, it } from 'vitest';
import {
  type AgentFacts,
  type AgentStateName,
  deriveAgentState,
  HOOK_GRACE_MS,
  type HookEvent,
  nextHookEvent,
  watchEvents,
} from '../../src/core/agent-state.js';
import { formatAge } from '../../src/core/durations.js';

const NOW = new Date('2026-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const iso = (seconds: number) => ago(seconds).toISOString();
const running = { pid: 4242, startedAt: iso(600) };
const livePane = { exists: true, dead: false, deadStatus: null };

/** A running agent in a live pane that printed something 10 s ago. */
function facts(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    record: running,
    hook: null,
    pane: livePane,
    sessionAlive: true,
    processAlive: true,
    activity: { earliest: ago(12), latest: ago(10) },
    now: NOW,
    idleSeconds: 60,
    manualStart: false,
    ...overrides,
  };
}

describe('deriveAgentState', () => {
  const cases: [string, Partial<AgentFacts>, AgentStateName, string | RegExp, number | null][] = [
    ['no launcher record yet', { record: null }, 'starting', 'the agent is starting', null],
    [
      '--mux none, not launched yet',
      { record: null, pane: null, sessionAlive: null, manualStart: true },
      'starting',
      /launch command/,
      null,
    ],
    ['recent output', {}, 'working', 'output or file changes', null],
    [
      'no activity known, started recently',
      { activity: null, record: { pid: 1, startedAt: iso(5) } },
      'working',
      'output or file changes',
      null,
    ],
    [
      'quiet longer than idleSeconds',
      { activity: { earliest: ago(300), latest: ago(200) } },
      'idle',
      'no output or file change for 3m',
      null,
    ],
    [
      'quiet exactly idleSeconds',
      { activity: { earliest: ago(61), latest: ago(60) } },
      'idle',
      /for 1m$/,
      null,
    ],
    [
      'activity before the start does not count',
      { activity: { earliest: ago(900), latest: ago(900) }, record: { pid: 1, startedAt: iso(30) } },
      'working',
      /changes/,
      null,
    ],
    [
      'no activity known, started long ago',
      { activity: null },
      'idle',
      'no output or file change for 10m',
      null,
    ],
    [
      'Notification hook',
      { hook: { event: 'waiting', at: ago(5), message: 'Claude needs your permission to use Bash' } },
      'waiting',
      'asks: Claude needs your permission to use Bash',
      null,
    ],
    [
      'Notification hook without a message',
      { hook: { event: 'waiting', at: ago(5) } },
      'waiting',
      'waiting for input',
      null,
    ],
    [
      'Stop hook: the turn ended, the agent still runs',
      { hook: { event: 'done', at: ago(30) }, activity: { earliest: ago(40), latest: ago(29) } },
      'done',
      /finished its turn/,
      null,
    ],
    [
      'UserPromptSubmit hook clears waiting',
      { hook: { event: 'working', at: ago(5) } },
      'working',
      /changes/,
      null,
    ],
    [
      'a hook from before this start is stale',
      { hook: { event: 'waiting', at: ago(700) } },
      'working',
      /changes/,
      null,
    ],
    [
      'output clearly after the hook overrides it',
      { hook: { event: 'waiting', at: ago(60) }, activity: { earliest: ago(30), latest: ago(20) } },
      'working',
      /changes/,
      null,
    ],
    [
      'output within the grace of the hook does not',
      {
        hook: { event: 'waiting', at: ago(60) },
        activity: { earliest: ago(60 - HOOK_GRACE_MS / 1000 + 1), latest: ago(50) },
      },
      'waiting',
      /waiting/,
      null,
    ],
    [
      'a change seen first after the hook may predate it',
      { hook: { event: 'done', at: ago(60) }, activity: { earliest: new Date(0), latest: ago(1) } },
      'done',
      /finished its turn/,
      null,
    ],
    [
      'exited 0',
      { record: { ...running, exit: { code: 0, signal: null, at: iso(3) } } },
      'done',
      'exited 0',
      0,
    ],
    [
      'exited 3',
      { record: { ...running, exit: { code: 3, signal: null, at: iso(3) } } },
      'failed',
      'exited with code 3',
      3,
    ],
    [
      'killed',
      { record: { ...running, exit: { code: null, signal: 'SIGTERM', at: iso(3) } } },
      'failed',
      'killed by SIGTERM',
      null,
    ],
    [
      'an exit record wins over a gone session',
      {
        record: { ...running, exit: { code: 0, signal: null, at: iso(3) } },
        sessionAlive: false,
        pane: null,
      },
      'done',
      'exited 0',
      0,
    ],
    ['session gone', { sessionAlive: false, pane: null }, 'gone', 'its session is gone', null],
    [
      'pane closed',
      { pane: { exists: false, dead: false, deadStatus: null } },
      'gone',
      'its pane was closed',
      null,
    ],
    [
      'launcher died with 0, no exit record',
      { pane: { exists: true, dead: true, deadStatus: 0 } },
      'done',
      /pane's program exited 0/,
      0,
    ],
    [
      'launcher died with 1, no exit record',
      { pane: { exists: true, dead: true, deadStatus: 1 } },
      'failed',
      /exited with code 1/,
      1,
    ],
    [
      "the agent's own error line ended the turn, though its hook said done (Gemini CLI)",
      { hook: { event: 'done', at: ago(5) }, turnError: 'quota exceeded' },
      'failed',
      'its turn ended in an API error: quota exceeded',
      null,
    ],
    [
      'process vanished without an exit record',
      { processAlive: false },
      'gone',
      'its process 4242 ended without an exit record',
      null,
    ],
    [
      'a sign-in screen that dropped the prompt says how to send it again',
      {
        dialog: { kind: 'login', what: 'Gemini CLI asks how to sign in', dropsPrompt: true },
        resendCommand: 'git parallel send t 2 --prompt',
      },
      'waiting',
      'login: Gemini CLI asks how to sign in (it drops the prompt there: once signed in, git parallel send t 2 --prompt)',
      null,
    ],
    [
      'a login dialog that keeps the prompt says only who asks',
      {
        dialog: { kind: 'login', what: 'Codex asks to sign in' },
        resendCommand: 'git parallel send t 2 --prompt',
      },
      'waiting',
      'login: Codex asks to sign in',
      null,
    ],
    [
      'the multiplexer cannot tell (old Zellij)',
      { pane: null, sessionAlive: true },
      'working',
      /changes/,
      null,
    ],
  ];
  it.each(cases)('%s', (_name, overrides, state, reason, exitCode) => {
    const result = deriveAgentState(facts(overrides));
    expect(result.state).toBe(state);
    if (typeof reason === 'string') expect(result.reason).toBe(reason);
    else expect(result.reason).toMatch(reason);
    expect(result.exitCode).toBe(exitCode);
  });

  it('dates each state from what caused it', () => {
    expect(deriveAgentState(facts({ hook: { event: 'waiting', at: ago(5) } })).since).toEqual(ago(5));
    expect(deriveAgentState(facts({ activity: { earliest: ago(300), latest: ago(200) } })).since).toEqual(
      ago(200),
    );
    expect(
      deriveAgentState(facts({ record: { ...running, exit: { code: 3, signal: null, at: iso(3) } } })).since,
    ).toEqual(ago(3));
  });
});

describe('nextHookEvent', () => {
  const event = (kind: HookEvent['event'], secondsAgo: number): HookEvent => ({
    event: kind,
    at: ago(secondsAgo),
  });
  const cases: [string, HookEvent | null, HookEvent, Date | null, 'current' | 'incoming'][] = [
    ['the first event', null, event('waiting', 1), ago(600), 'incoming'],
    [
      'the idle reminder after a finished turn is not news',
      event('done', 60),
      event('waiting', 1),
      ago(600),
      'current',
    ],
    ['a new prompt after a finished turn', event('done', 60), event('working', 1), ago(600), 'incoming'],
    ['waiting after working', event('working', 60), event('waiting', 1), ago(600), 'incoming'],
    ['done after waiting', event('waiting', 60), event('done', 1), ago(600), 'incoming'],
    [
      'a "done" from before a restart is stale',
      event('done', 900),
      event('waiting', 1),
      ago(600),
      'incoming',
    ],
    [
      'no launcher record: the newest "done" still holds',
      event('done', 60),
      event('waiting', 1),
      null,
      'current',
    ],
  ];
  it.each(cases)('%s', (_name, current, incoming, startedAt, kept) => {
    expect(nextHookEvent(current, incoming, startedAt)).toBe(kept === 'current' ? current : incoming);
  });
});

describe('watchEvents', () => {
  const agent = (name: string, state: AgentStateName, reason = '') => ({ name, state, reason });
  const before = (entries: [string, AgentStateName][]) => new Map(entries);
  const cases: [
    string,
    Map<string, AgentStateName> | null,
    ReturnType<typeof agent>[],
    ReturnType<typeof watchEvents>,
  ][] = [
    ['the first frame is quiet', null, [agent('a-1', 'waiting'), agent('a-2', 'done')], []],
    [
      'an agent starts waiting',
      before([
        ['a-1', 'working'],
        ['a-2', 'working'],
      ]),
      [agent('a-1', 'waiting', 'asks: ok?'), agent('a-2', 'working')],
      [{ kind: 'waiting', name: 'a-1', reason: 'asks: ok?' }],
    ],
    ['still waiting: no repeat', before([['a-1', 'waiting']]), [agent('a-1', 'waiting')], []],
    [
      'waiting again after working',
      before([['a-1', 'working']]),
      [agent('a-1', 'waiting')],
      [{ kind: 'waiting', name: 'a-1', reason: '' }],
    ],
    [
      'the last one finishes',
      before([
        ['a-1', 'done'],
        ['a-2', 'working'],
      ]),
      [agent('a-1', 'done'), agent('a-2', 'failed')],
      [{ kind: 'all-finished' }],
    ],
    [
      'all finished already: no repeat',
      before([
        ['a-1', 'done'],
        ['a-2', 'gone'],
      ]),
      [agent('a-1', 'done'), agent('a-2', 'gone')],
      [],
    ],
    ['idle is not finished', before([['a-1', 'working']]), [agent('a-1', 'idle')], []],
    [
      'a new candidate appears waiting',
      before([]),
      [agent('b-1', 'waiting')],
      [{ kind: 'waiting', name: 'b-1', reason: '' }],
    ],
  ];
  it.each(cases)('%s', (_name, previous, current, expected) => {
    expect(watchEvents(previous, current)).toEqual(expected);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3_599_000, '59m'],
    [3_600_000, '1h'],
    [5_400_000, '1h 30m'],
    [86_400_000, '1d'],
    [90_000_000, '1d 1h'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
