import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { untrustedRepoEach } from '../helpers/workspace.js';

/**
 * Issue 13: a repository's own config, unapproved, can neither run a command nor lower the guard. Each
 * test is the attack of the issue, run through the built CLI as a user who never approved anything.
 */
describe('a repository config cannot pull a lever unapproved', () => {
  const untrusted = untrustedRepoEach();
  const { cli, repoConfig, nothingCreated } = untrusted;

  it('item 1: a port variable a shell reads (BASH_ENV) is refused, so committed files named by port numbers never run', async () => {
    for (const port of [8001, 8002])
      untrusted.repo.write(String(port), `echo pwned > ${untrusted.repo.parent}/PWNED\n`);
    repoConfig({ ports: { BASH_ENV: 8000 }, portSpan: 3 });
    const result = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('ports.BASH_ENV is not a port variable name');
    nothingCreated();
    for (const name of ['NODE_OPTIONS', 'LD_PRELOAD', 'GIT_CONFIG_GLOBAL', 'PATH']) {
      repoConfig({ ports: { [name]: 8000 } });
      const other = await cli(['t', '-n', '1', '--mux', 'none']);
      expect(other.code).toBe(2);
      expect(other.stderr).toContain(`ports.${name} is not a port variable name`);
    }
    nothingCreated();
    expect(existsSync(path.join(untrusted.repo.parent, 'PWNED'))).toBe(false);
  });

  it.each([
    ['yolo', { yolo: true }, 'yolo'],
    ['model', { model: 'opus-evil' }, 'model'],
    [
      'a worktreeDir outside the folder that holds the repository',
      { worktreeDir: '../../x/{task}-{n}' },
      'worktreeDir',
    ],
    ['a Zellij layout template', { layout: 'layouts/mine.kdl' }, 'layout'],
  ])('item 4: %s from the repository needs approval and is shown by git parallel trust', async (_name, settings, key) => {
    repoConfig(settings);
    const refused = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`defines commands you have not approved (${key})`);
    nothingCreated();
    const review = await cli(['trust', '--dry-run']);
    expect(review.stdout).toContain(`  ${key}: `);
  });

  it('item 4: approved, a repository yolo is applied; the same setting in the user config needs nothing', async () => {
    repoConfig({ yolo: true, agents: { mine: { command: 'sh', yolo: ['--skip'] } }, agent: 'mine' });
    expect((await cli(['trust'])).code).toBe(0);
    const run = await cli(['t', '-n', '1', '--mux', 'none', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).run.candidates[0].command).toContain('--skip');
    repoConfig({ agents: { mine: { command: 'sh', yolo: ['--skip'] } }, agent: 'mine' });
    mkdirSync(path.join(untrusted.userConfig, 'git-parallel'), { recursive: true });
    writeFileSync(
      path.join(untrusted.userConfig, 'git-parallel', 'config.json'),
      JSON.stringify({ yolo: true }),
    );
    expect((await cli(['trust'])).code).toBe(0);
    const mine = await cli(['u', '-n', '1', '--mux', 'none', '--json']);
    expect(mine.code).toBe(0);
    expect(JSON.parse(mine.stdout).run.candidates[0].command).toContain('--skip');
  });
});
