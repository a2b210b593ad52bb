import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standInWorkspaceEach, worldOf } from '../helpers/workspace.js';

/**
 * One parser (issue 11 item 2): every command line goes through yargs. In a repository whose default agent
 * is installed (the stand-in), nothing that looks like a command may start a run.
 */
describe('one parser: help, version and typos start nothing', () => {
  const workspace = standInWorkspaceEach();
  const { cli } = workspace;

  /** Everything a run would create: branches, worktrees, run state, sessions, agents started. */
  const world = () => ({
    ...worldOf(workspace),
    agents: existsSync(workspace.agent.recordDir) ? readdirSync(workspace.agent.recordDir) : [],
  });

  it.each([
    [['help'], /^git parallel <task> \[options\]/],
    [['help', 'rm'], /^git parallel rm <tasks\.\.>/],
    [['help', 'compare'], /^git parallel compare <task>/],
    [['help', 'ls'], /^git parallel list/],
    [['help', 'run'], /^git parallel run \[task\]/],
    [['--help'], /^git parallel <task> \[options\]/],
    [['-h'], /^git parallel <task> \[options\]/],
    [['rm', '--help'], /^git parallel rm <tasks\.\.>/],
    [['version'], /^\d+\.\d+\.\d+\n$/],
    [['--version'], /^\d+\.\d+\.\d+\n$/],
    [['completion', 'bash'], /_git_parallel\(\)/],
    [['completion', 'zsh'], /_git-parallel\(\)/],
  ])('%j prints on stdout, exits 0 and starts nothing', async (args, output) => {
    const before = world();
    const result = await cli(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(output);
    expect(world()).toEqual(before);
  });

  it.each([
    ['stauts', 'status'],
    ['Status', 'status'],
    ['lsit', 'list'],
    ['comapre', 'compare'],
    ['show', 'status'],
    ['remove', 'rm'],
    ['delete', 'rm'],
    ['completions', 'completion'],
    ['versoin', 'version'],
    ['rnu', 'run'],
  ])('the task name %s is refused with a hint at `git parallel %s`', async (task, meant) => {
    const before = world();
    const result = await cli([task, '-p', 'do it']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `git parallel: did you mean \`git parallel ${meant}\`? To start a run of that name: \`git parallel run ${task}\`\n`,
    );
    expect(world()).toEqual(before);
  });

  it('help of no such command, or of two, is a usage error', async () => {
    const unknown = await cli(['help', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^git parallel: there is no command nosuch; the commands are run, attach, list/,
    );
    expect((await cli(['help', 'rm', 'pick'])).code).toBe(2);
  });

  it('a run named help is started with run, and rm, compare and attach act on it rather than print help', async () => {
    for (const command of ['rm', 'compare', 'attach']) {
      const result = await cli([command, 'help']);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('git parallel: no run named "help"; see git parallel list\n');
      expect(result.code).toBe(2);
    }
    const started = await cli(['run', 'help', '-p', 'hi', '--mux', 'none']);
    expect(started.stderr).toContain('Prepared 3 agents for help');
    expect(started.code).toBe(0);
    expect(readdirSync(path.join(workspace.repo.root, '.git/parallel'))).toContain('help');
    const removed = await cli(['rm', 'help']);
    expect(removed.stderr).toContain('Removed help');
    expect(removed.code).toBe(0);
    expect(
      readdirSync(path.join(workspace.repo.root, '.git/parallel')).filter((f) => !f.startsWith('.')),
    ).toEqual([]);
  });

  it('-p=hello is the prompt hello; an option given twice with two values is refused, with one value it is one', async () => {
    const started = await cli(['t', '-p=hello', '-n', '1', '--mux', 'none']);
    expect(started.code).toBe(0);
    expect(readFileSync(path.join(workspace.repo.root, '.git/parallel/t/prompt.md'), 'utf8')).toBe('hello');
    expect((await cli(['rm', 't'])).code).toBe(0);

    const before = world();
    const twice = await cli(['u', '-p', 'a', '-p', 'b', '-n', '1', '--mux', 'none']);
    expect(twice.stderr).toBe('git parallel: --prompt was given 2 times ("a", "b"); give it once\n');
    expect(twice.code).toBe(2);
    const mixed = await cli(['u', '--prompt', 'a', '-p', 'b', '-n', '1', '--mux', 'none']);
    expect(mixed.stderr).toBe('git parallel: --prompt was given 2 times ("a", "b"); give it once\n');
    expect(world()).toEqual(before);

    const same = await cli(['u', '-p', 'a', '-p', 'a', '-n', '1', '--mux', 'none']);
    expect(same.code).toBe(0);
    expect(readFileSync(path.join(workspace.repo.root, '.git/parallel/u/prompt.md'), 'utf8')).toBe('a');
    // Arrays stay arrays: several runs to remove are not "given twice".
    expect((await cli(['run', 'v', '-p', 'x', '-n', '1', '--mux', 'none'])).code).toBe(0);
    const removed = await cli(['rm', 'u', 'v']);
    expect(removed.code).toBe(0);
  });
});
