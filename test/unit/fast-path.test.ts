import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, FAST_COMMANDS } from '../../src/commands/registry.js';
import { DEFAULT_COMMAND, fastParse } from '../../src/fast-path.js';

const parse = (argv: string[]) => fastParse(argv, FAST_COMMANDS, COMMAND_NAMES);

describe('fastParse', () => {
  it('parses a run like yargs does: options, short aliases, --no-attach, and no default for unset flags', () => {
    const parsed = parse(['add-auth', '-n', 'claude:2,codex:1', '--prompt', 'x y', '--no-attach', '--yolo']);
    expect(parsed?.command).toBe(FAST_COMMANDS[DEFAULT_COMMAND]);
    expect(parsed?.args).toEqual({
      task: 'add-auth',
      agents: 'claude:2,codex:1',
      prompt: 'x y',
      'no-attach': true,
      yolo: true,
      json: false,
      'dry-run': false,
    });
    // Absent, not false: a config's `yolo: true` must still apply when the flag is not given.
    expect(parse(['t'])?.args.yolo).toBeUndefined();
  });

  it.each([
    [['list', '--json'], { json: true }],
    [['ports'], { json: false }],
    [['ports', 'auth'], { json: false, task: 'auth' }],
    [['status', 'auth', '-w'], { json: false, watch: true, task: 'auth' }],
  ])('%j', (argv, args) => {
    expect(parse(argv)?.args).toEqual(args);
  });

  it.each([
    [['--help']],
    [['t', '--help']],
    [['t', '--unknown']],
    [['t', '--prompt']],
    [['list', 'extra']],
    [['status', '--interval', '1']],
    [['run', 't']],
    [['rm', 't']],
    [['compare', 't']],
    [['-x']],
    [[]],
  ])('leaves %j to yargs', (argv) => {
    expect(parse(argv)).toBeNull();
  });
});
