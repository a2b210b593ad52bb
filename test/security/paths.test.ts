import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { expand } from 'dotenv-expand';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** Issue 13 items 2 and 6: nothing git-parallel writes into a candidate lands outside it. */
describe('nothing leaves the candidate', () => {
  let repo: TestRepo;
  let outside: string;

  beforeEach(() => {
    repo = makeRepo('app');
    outside = path.join(repo.parent, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, '.bashrc_like'), 'echo mine\n');
  });
  afterEach(() => repo.cleanup());

  const config = (settings: Record<string, unknown>) =>
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', ...settings }),
    );
  const cli = (args: string[]) => runCli(args, { cwd: repo.root });
  const nothingLeft = () => {
    expect(repo.git('branch', '--list', 't-*')).toBe('');
    expect(existsSync(path.join(repo.parent, 'app-worktrees', 't-1'))).toBe(false);
  };

  it('item 2: an envFile behind a committed symlink to an outside folder is refused; the outside file is untouched', async () => {
    symlinkSync(outside, path.join(repo.root, 'lnk'));
    config({ envFile: 'lnk/.bashrc_like' });
    repo.commit('a symlink out');
    const result = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `envFile: lnk in ${path.join(repo.parent, 'app-worktrees', 't-1')} is a symlink to ${outside}, outside the worktree; nothing was written through it`,
    );
    expect(readFileSync(path.join(outside, '.bashrc_like'), 'utf8')).toBe('echo mine\n');
    nothingLeft();
  });

  it("item 6: a --base whose conf/ is a symlink out gets no copy of the main worktree's conf/.env", async () => {
    repo.write('.gitignore', 'conf/.env\n');
    repo.write('conf/app.yml', 'x: 1\n');
    config({ copy: ['conf/.env'], link: [] });
    repo.commit('conf');
    repo.git('checkout', '-q', '-b', 'evil');
    repo.git('rm', '-q', '-r', 'conf');
    symlinkSync(outside, path.join(repo.root, 'conf'));
    repo.git('add', 'conf');
    repo.git('commit', '-q', '-m', 'conf is a symlink out');
    repo.git('checkout', '-q', 'main');
    // The main worktree's own secret, as a developer has it.
    repo.write('conf/.env', 'SECRET=main-secret\n');
    expect(readFileSync(path.join(repo.root, 'conf/.env'), 'utf8')).toBe('SECRET=main-secret\n');

    const result = await cli(['t', '-n', '1', '--mux', 'none', '--base', 'evil']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('copy: conf in ');
    expect(result.stderr).toContain(`is a symlink to ${outside}, outside the worktree`);
    expect(readdirSync(outside)).toEqual(['.bashrc_like']);
    nothingLeft();
  });

  it("item 2: a worktreeDir holding '$(…) is written so a shell sourcing the envFile runs nothing, and dotenv-expand reads it exactly", async () => {
    const marker = path.join(repo.parent, 'PWNED');
    repo.write('.gitignore', '.env.local\n');
    config({ envFile: '.env.local', worktreeDir: `../wt'$(touch ${marker})/{task}-{n}` });
    repo.commit('config');
    const result = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
    const worktree = path.join(repo.parent, `wt'$(touch ${marker})`, 't-1');
    const file = path.join(worktree, '.env.local');
    const shell = execFileSync(
      'bash',
      ['-c', 'source "$1"; printf %s "$GIT_PARALLEL_WORKTREE"', 'bash', file],
      // A plain bash: no BASH_ENV or startup file of this machine's (a pyenv init waiting on its lock).
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    );
    expect(existsSync(marker)).toBe(false);
    expect(shell).toBe(worktree);
    const parsed = dotenv.parse(readFileSync(file, 'utf8'));
    expect(expand({ parsed, processEnv: {} }).parsed?.GIT_PARALLEL_WORKTREE).toBe(worktree);
  });
});
