import { describe, expect, it } from 'vitest';
import { parseLineup } from '../../src/core/lineup.js';

describe('parseLineup', () => {
  it.each([
    ['3', ['claude', 'claude', 'claude']],
    [2, ['claude', 'claude']],
    ['claude:2,codex:1', ['claude', 'claude', 'codex']],
    ['codex, gemini:2', ['codex', 'gemini', 'gemini']],
    ['cursor-agent', ['cursor-agent']],
  ] as const)('%j', (value, expected) => {
    expect(parseLineup(value, 'claude')).toEqual(expected);
  });

  it.each([
    ['0', /counts must be at least 1/],
    ['-2', /counts must be at least 1/],
    ['abc!', /invalid --agents "abc!"/],
    ['claude:x', /invalid --agents "claude:x"/],
    ['claude:2,,codex', /invalid --agents/],
    ['', /invalid --agents/],
    ['33', /asks for 33 agents; the most is 32/],
    ['claude:20,codex:20', /asks for 40 agents; the most is 32/],
    ['1.5', /invalid --agents "1.5"/],
  ])('rejects %j', (value, message) => {
    expect(() => parseLineup(value, 'claude')).toThrow(message);
  });
});
