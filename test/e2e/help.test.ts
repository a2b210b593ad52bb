import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/commands/help-text.js';
import { runCli } from '../helpers/cli.js';

/** Issue 11 item 7: every command's help shows examples, and none shows yargs' type noise for positionals. */
describe('command help', () => {
  const commands = Object.keys(EXAMPLES).filter((name) => name !== 'run');

  it.each(commands)('git parallel %s --help shows its examples', async (command) => {
    const result = await runCli([command, '--help'], { cwd: '/' });
    expect(result.code).toBe(0);
    const examples = result.stdout.split('\nExamples:\n')[1];
    expect(examples, `${command} --help has an Examples section`).toBeDefined();
    // Each example's words appear (the help wraps long lines, so compare without the line breaks).
    const flat = examples!.replace(/\s+/g, ' ');
    for (const [example] of EXAMPLES[command]!) {
      expect(flat).toContain(example.replace('$0', 'git parallel').split(' ').slice(0, 3).join(' '));
    }
  });

  it('git parallel --help shows how to start a run', async () => {
    const result = await runCli(['--help'], { cwd: '/' });
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('git parallel add-auth -p "Add password');
  });

  it.each(['rm', 'send'])('%s --help shows no "[array] [required] [default: []]"', async (command) => {
    const result = await runCli([command, '--help'], { cwd: '/' });
    expect(result.stdout).not.toMatch(/\[array\]|\[default: \[\]\]|\[required\]/);
    expect(result.stdout).toMatch(
      command === 'rm' ? /tasks +the runs to remove/ : /words +candidate numbers/,
    );
  });

  it.each([
    [['--frobnicate'], 'git parallel: unknown option --frobnicate (see git parallel --help)\n'],
    // diff goes through the user's git pager: it has no --json, and says so (issue 11 item 8).
    [
      ['diff', 't', '1', '--json'],
      'git parallel: unknown option --json for git parallel diff (see git parallel diff --help)\n',
    ],
    [
      ['list', '--dry-run'],
      'git parallel: unknown option --dry-run for git parallel list (see git parallel list --help)\n',
    ],
  ])('%j: one clear line, exit 2', async (argv, message) => {
    const result = await runCli(argv, { cwd: '/' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
  });
});
