import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/core/durations.js';
import { UsageError } from '../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    ['2w', 2 * 604_800_000],
    ['1d12h', 36 * 3_600_000],
    [' 7d ', 7 * 86_400_000],
    ['0d', 0],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    '30',
    'd',
    '30x',
    '1.5d',
    '-3d',
    '30 d',
    '3mo',
    '1d 2h',
  ])('rejects %j with a usage error that says what to write', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
    expect(() => parseDuration(text)).toThrow(/--older-than .* is not a duration; use a number and a unit/);
  });

  it('names the option it parses', () => {
    expect(() => parseDuration('soon', '--since')).toThrow(/^--since "soon"/);
  });
});
