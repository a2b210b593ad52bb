import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/core/run-status.js';
import { colourWanted, painter } from '../../src/output/reporter.js';
import { candidateTable } from '../../src/output/status-text.js';

describe('colourWanted: FORCE_COLOR, then a non-empty NO_COLOR, then TERM=dumb, then the terminal', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    // no-color.org: "when present and not an empty string"; an empty NO_COLOR= keeps colour.
    [tty, { NO_COLOR: '' }, true],
    [tty, { TERM: 'dumb' }, false],
    [pipe, { FORCE_COLOR: '1' }, true],
    [pipe, { FORCE_COLOR: '' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [tty, { FORCE_COLOR: 'false' }, false],
    [pipe, { FORCE_COLOR: '3', NO_COLOR: '1' }, true],
  ])('%o with %o → %s', (stream, env, expected) => {
    expect(colourWanted(stream, env as NodeJS.ProcessEnv)).toBe(expected);
  });

  it('paints with ANSI codes only when enabled', () => {
    expect(painter(true)('red', 'FAIL')).toBe('\x1b[31mFAIL\x1b[39m');
    expect(painter(false)('red', 'FAIL')).toBe('FAIL');
    expect(painter(true)(null, 'x')).toBe('x');
  });
});

describe('the status table', () => {
  const start = new Date('2026-01-01T10:00:00Z');
  const candidate = (
    n: number,
    state: 'done' | 'working' | 'failed' | 'gone',
    finishedAt: string | null,
  ) => ({
    name: `t-${n}`,
    n,
    agent: 'claude',
    branch: `t-${n}`,
    worktree: `/w/t-${n}`,
    state,
    reason: '',
    exitCode: state === 'failed' ? 3 : null,
    since: null,
    startedAt: start.toISOString(),
    finishedAt,
    ports: {},
    commits: 0,
    filesChanged: 0,
    added: 0,
    deleted: 0,
    uncommitted: { changed: 0, untracked: 0 },
  });
  const run: RunStatus = {
    task: 't',
    base: { commit: '1234567890', ref: 'main' },
    createdAt: start.toISOString(),
    agents: 'claude:4',
    sandboxed: false,
    mux: 'tmux',
    session: 't',
    sessionAlive: true,
    problem: null,
    candidates: [
      candidate(1, 'done', '2026-01-01T10:02:00Z'),
      candidate(2, 'working', null),
      candidate(3, 'failed', '2026-01-01T10:05:30Z'),
      candidate(4, 'gone', null),
    ],
  };
  const now = new Date('2026-01-01T11:00:00Z');

  it('stops the TIME column when an agent finished', () => {
    const time = candidateTable(run, now)
      .slice(1)
      .map((line) => line.split(/ {2,}/)[3]);
    expect(time).toEqual(['2m', '1h', '5m', '-']);
  });

  it('colours the states when painted, and not otherwise', () => {
    const [, done, working, failed] = candidateTable(run, now, painter(true));
    expect(done).toContain('\x1b[32mdone\x1b[39m');
    expect(working).toContain('\x1b[36mworking\x1b[39m');
    expect(failed).toContain('\x1b[31mfailed (3)\x1b[39m');
    expect(candidateTable(run, now).join('\n')).not.toContain('\x1b[');
  });
});
