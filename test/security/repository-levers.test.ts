import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Issue 13: a repository's own config, unapproved, can neither run a command nor lower the guard. Each
 * test is the attack of the issue, run through the built CLI as a user who never approved anything.
 */
describe('a repository config cannot pull a lever unapproved', () => {
  let repo: TestRepo;
  let userConfig: string;

  beforeEach(() => {
    repo = makeRepo('app');
    userConfig = path.join(repo.parent, 'user-config');
  });
  afterEach(() => repo.cleanup());

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { GIT_PARALLEL_TRUST: '', XDG_CONFIG_HOME: userConfig, ...extra } });
  const repoConfig = (settings: Record<string, unknown>) => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', ...settings }),
    );
    repo.commit('config');
  };
  const nothingCreated = () => {
    expect(existsSync(path.join(repo.parent, 'app-worktrees'))).toBe(false);
    expect(repo.git('branch', '--list')).toBe('* main');
  };

  it('item 1: a port variable a shell reads (BASH_ENV) is refused, so committed files named by port numbers never run', async () => {
    for (const port of [8001, 8002]) repo.write(String(port), `echo pwned > ${repo.parent}/PWNED\n`);
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
    expect(existsSync(path.join(repo.parent, 'PWNED'))).toBe(false);
  });
});
