import { describe, expect, it } from 'vitest';
import { explainUsageFailure, unknownOptions } from '../../src/output/usage-messages.js';

describe('explainUsageFailure', () => {
  const commandNames = new Set(['list', 'status', 'compare', 'rm']);
  const facts = (argv: string[], knownOptions: string[]) => ({ argv, knownOptions, commandNames });

  it.each([
    // `git parallel --frobnicate`: yargs says "Not enough non-option arguments" (the task is missing).
    [
      ['--frobnicate'],
      ['json', 'prompt', 'p'],
      'Not enough non-option arguments: got 0, need at least 1',
      'unknown option --frobnicate (see git parallel --help)',
    ],
    [
      ['list', '--dry-run'],
      ['json', 'verbose'],
      'Unknown arguments: dry-run, dryRun',
      'unknown option --dry-run for git parallel list (see git parallel list --help)',
    ],
    [
      ['compare', 't', '--chek=npm test'],
      ['check', 'json', 'html'],
      'Unknown argument: chek',
      'unknown option --chek for git parallel compare (did you mean --check?) (see git parallel compare --help)',
    ],
    [
      ['status', '-xq', '--json'],
      ['json', 'watch', 'w'],
      'Unknown arguments: x, q',
      'unknown options -x, -q for git parallel status (see git parallel status --help)',
    ],
    // A prompt that starts with a dash, given as its own word, reads as an option: say how to pass it.
    [
      ['add-auth', '--prompt', '--fix the $thing'],
      ['prompt', 'p', 'agents'],
      'Unknown argument: fix the $thing',
      'unknown option --fix the $thing (a value that starts with "-" goes after "=": --prompt="--fix the $thing") (see git parallel --help)',
    ],
    [
      ['rm'],
      ['json', 'force'],
      'Not enough non-option arguments: got 0, need at least 1',
      'Not enough non-option arguments: got 0, need at least 1 (see git parallel rm --help)',
    ],
  ])('%j', (argv, known, message, expected) => {
    expect(explainUsageFailure(message, facts(argv, known))).toBe(expected);
  });
});

describe('unknownOptions', () => {
  it('knows --no-<flag>, camelCase names, values, numbers and what follows --', () => {
    const known = ['attach', 'dryRun', 'n'];
    expect(unknownOptions(['t', '--no-attach', '--dry-run', '-n', '-3', '--', '--x'], known)).toEqual([]);
    expect(unknownOptions(['t', '--no-atach', '--dry-run=1', '-'], known)).toEqual(['no-atach']);
  });
});
