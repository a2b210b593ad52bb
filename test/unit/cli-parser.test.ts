import { describe, expect, it } from 'vitest';
import { asksForHelp } from '../../src/commands/parser.js';

describe('yargs help is on only when the command line asks for it with a flag', () => {
  it.each([
    [['--help'], true],
    [['-h'], true],
    [['rm', 'x', '--help'], true],
    [['rm', 'help'], false],
    [['help'], false],
    [['compare', 'help'], false],
    [['diff', 't', '1', '--', '--help'], false],
    [['t', '-p', 'explain --help'], false],
    [[], false],
  ])('%j → %s', (argv, expected) => {
    expect(asksForHelp(argv)).toBe(expected);
  });
});
