import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claudeProjectFolder,
  describeUsage,
  formatTokens,
  opencodeUsageQuery,
  parseClaudeTranscript,
  parseCodexRollout,
  parseCopilotEvents,
  parseGeminiSession,
  parseOpencodeSessions,
  usageSourceOf,
} from '../../src/core/agent-usage.js';

/**
 * The *-<version>.* samples are real files, written by Claude Code 2.1.197, Codex 0.171.0, Gemini CLI 0.61.0
 * and Copilot CLI 1.0.102 during a turn against the model stand-in (test/real-agents/cost.test.ts with
 * GP_KEEP_AGENT_FILES; long strings shortened, temporary paths replaced by /w). Each turn had two replies,
 * each reporting the stand-in's MAIN_USAGE (Copilot talks to it as Anthropic).
 */
const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, '../fixtures/agent-usage', name), 'utf8');

describe('Claude Code transcripts', () => {
  it('sums every assistant message once: input with cache writes, cache reads, output', () => {
    expect(parseClaudeTranscript(fixture('claude-2.1.197-transcript.jsonl'))).toEqual({
      input: 2 * (1200 + 56),
      cached: 2 * 7800,
      output: 2 * 34,
    });
  });
  it('counts a message streamed as several lines once, its last line winning', () => {
    const line = (output: number) =>
      JSON.stringify({
        type: 'assistant',
        message: { id: 'msg_1', usage: { input_tokens: 5, output_tokens: output } },
      });
    expect(parseClaudeTranscript(`${line(1)}\n${line(9)}\n{"half": `)).toEqual({
      input: 5,
      cached: 0,
      output: 9,
    });
  });
  it('has no usage without assistant messages', () =>
    expect(parseClaudeTranscript('{"type":"user","message":{"content":"hi"}}\n')).toBeNull());
  it('names the project folder as Claude Code does', () =>
    expect(claudeProjectFolder('/tmp/gp-bUj0FA/app-worktrees/c-1')).toBe('-tmp-gp-bUj0FA-app-worktrees-c-1'));
});

describe('Codex session files', () => {
  it('takes the session’s last running total, its cached input apart', () => {
    expect(parseCodexRollout(fixture('codex-0.171.0-rollout.jsonl'))).toEqual({
      cwd: '/w/app-worktrees/c-2',
      usage: { input: 2 * (2300 - 1100), cached: 2 * 1100, output: 2 * 45 },
    });
  });
  it('has no usage before its first token_count', () => {
    const meta = JSON.stringify({ type: 'session_meta', payload: { cwd: '/w/x' } });
    expect(parseCodexRollout(meta)).toEqual({ cwd: '/w/x', usage: null });
  });
});

describe('Gemini CLI chat recordings', () => {
  it('sums model messages once each (a message is written again as it changes), thoughts as output', () => {
    expect(parseGeminiSession(fixture('gemini-0.61.0-session.jsonl'))).toEqual({
      projectHash: 'ece092e92deb49f9923999fb90af387c1ab2ea428584e6b57fc503682332abfc',
      usage: { input: 2 * (900 - 300), cached: 2 * 300, output: 2 * (21 + 4) },
    });
  });
  it('reads the messages of a $set line too', () => {
    const lines = [
      { projectHash: 'abc' },
      { $set: { messages: [{ id: 'g1', type: 'gemini', tokens: { input: 10, output: 1, cached: 4 } }] } },
      { id: 'g1', type: 'gemini', tokens: { input: 10, output: 2, cached: 4 } },
    ];
    expect(parseGeminiSession(lines.map((l) => JSON.stringify(l)).join('\n')).usage).toEqual({
      input: 6,
      cached: 4,
      output: 2,
    });
  });
});

describe('Copilot CLI session logs', () => {
  it('sums its usage records (input without the cache reads) for the session’s working folder', () => {
    expect(parseCopilotEvents(fixture('copilot-1.0.102-events.jsonl'))).toEqual({
      cwd: '/w/app-worktrees/g-2',
      usage: { input: 2 * (1200 + 56), cached: 2 * 7800, output: 2 * 34 },
    });
  });
  it('falls back on the totals of session.shutdown when a log has no usage records', () => {
    const lines = [
      { type: 'session.start', data: { context: { cwd: '/w/t-1' } } },
      {
        type: 'session.shutdown',
        data: {
          modelMetrics: {
            a: { usage: { inputTokens: 900, outputTokens: 40, cacheReadTokens: 300, cacheWriteTokens: 0 } },
            b: { usage: { inputTokens: 100, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 } },
          },
        },
      },
    ];
    expect(parseCopilotEvents(lines.map((l) => JSON.stringify(l)).join('\n'))).toEqual({
      cwd: '/w/t-1',
      usage: { input: 700, cached: 300, output: 42 },
    });
  });
  it('has no usage before its first model call', () =>
    expect(
      parseCopilotEvents(JSON.stringify({ type: 'session.start', data: { context: { cwd: '/w' } } })).usage,
    ).toBeNull());
});

describe('opencode sessions (SQLite, through opencode db)', () => {
  it('the query matches the folder exactly, a quote in it doubled, and the time as a whole number', () => {
    expect(opencodeUsageQuery("/w/it's", 1700000000123.7)).toBe(
      "select tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write from session where directory = '/w/it''s' and time_updated >= 1700000000123",
    );
  });
  it('sums the rows: cache writes count as input, reasoning as output; no row is unknown', () => {
    const rows = [
      {
        tokens_input: 10,
        tokens_output: 5,
        tokens_reasoning: 2,
        tokens_cache_read: 100,
        tokens_cache_write: 7,
      },
      { tokens_input: 1, tokens_output: 1, tokens_reasoning: 0, tokens_cache_read: 0, tokens_cache_write: 0 },
    ];
    expect(parseOpencodeSessions(JSON.stringify(rows))).toEqual({ input: 18, output: 8, cached: 100 });
    expect(parseOpencodeSessions('[]')).toBeNull();
  });
});

describe('naming and showing', () => {
  it.each([
    ['/usr/bin/claude', 'claude'],
    ['/opt/codex', 'codex'],
    ['/bin/gemini', 'gemini'],
    ['/bin/copilot', 'copilot'],
    ['/bin/opencode', 'opencode'],
    ['/bin/sh', null],
  ])('%s keeps usage as %s', (executable, source) => expect(usageSourceOf(executable)).toBe(source));
  it.each([
    [999, '999'],
    [2512, '2.5k'],
    [15600, '16k'],
    [1_250_000, '1.3M'],
  ])('%i tokens read %s', (value, text) => expect(formatTokens(value)).toBe(text));
  it('says unknown when there is no usage', () => {
    expect(describeUsage(null)).toBe('unknown');
    expect(describeUsage({ input: 2512, output: 68, cached: 15600 })).toBe('in 2.5k · out 68 · cached 16k');
  });
});
