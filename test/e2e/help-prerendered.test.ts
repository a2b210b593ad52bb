import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRERENDERED_HELP_WIDTHS } from '../../src/commands/help-width.js';
import { renderTopHelp } from '../../src/commands/parser.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * Issue 18: `git parallel --help` prints the text the build rendered ahead (dist/help-text.js) instead of
 * loading yargs. It must be exactly what yargs prints for the same command line.
 */
describe('the prerendered --help, and --version without yargs', () => {
  it('is built beside the bundle, for each width', async () => {
    const file = path.join(REPO_ROOT, 'dist', 'help-text.js');
    expect(existsSync(file)).toBe(true);
    const { HELP } = await import(file);
    for (const width of PRERENDERED_HELP_WIDTHS) expect(HELP[String(width)]).toBe(await renderTopHelp(width));
  });

  it('prints what yargs prints, with --help and -h', async () => {
    // --verbose makes it a command line yargs parses; the help is the same.
    const byYargs = await runCli(['--help', '--verbose'], { cwd: tmpdir() });
    expect(byYargs.code).toBe(0);
    expect(byYargs.stdout).toBe(`${await renderTopHelp(80)}\n`);
    for (const flag of ['--help', '-h']) {
      const fast = await runCli([flag], { cwd: tmpdir() });
      expect(fast).toEqual(byYargs);
    }
  });

  it('--version alone prints what yargs prints for it, which is package.json version', async () => {
    const byYargs = await runCli(['--version', '--verbose'], { cwd: tmpdir() });
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(byYargs).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await runCli(['--version'], { cwd: tmpdir() })).toEqual(byYargs);
  });
});
