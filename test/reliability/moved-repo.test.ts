import { execFileSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 10 F8: a repository moved with its worktrees (`mv repo repo2; mv repo-worktrees repo2-worktrees;
 * git worktree repair …`) keeps working runs: paths come from where the repository is now.
 */
describe('a moved repository', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let moved: string;

  beforeEach(async () => {
    ({ repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
    const created = await runCli(['t', '-n', '2', '-p', 'x', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(created.code, created.stderr).toBe(0);
    moved = path.join(repo.parent, 'moved');
    renameSync(repo.root, moved);
    renameSync(path.join(repo.parent, 'app-worktrees'), path.join(repo.parent, 'moved-worktrees'));
    const repair = ['worktree', 'repair', '../moved-worktrees/t-1', '../moved-worktrees/t-2'];
    execFileSync('git', repair, { cwd: moved });
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[]) => runCli(args, { cwd: moved, env: tmux.env });

  it('status sees the worktrees where they are now', async () => {
    const status = await cli(['status', 't', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const text = status.stdout;
    expect(text).toContain(path.join(repo.parent, 'moved-worktrees', 't-1'));
    expect(text).not.toContain(`${repo.root}${path.sep}`);
  });

  it('plain rm removes the run, and nothing is recreated at the old path', async () => {
    const removed = await cli(['rm', 't']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(repo.root)).toBe(false);
    expect(existsSync(path.join(repo.parent, 'moved-worktrees'))).toBe(false);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: moved, encoding: 'utf8' }).trim();
    expect(git('worktree', 'list', '--porcelain').split('\n\n')).toHaveLength(1);
    expect(git('branch', '--list', 't-*')).toBe('');
    expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
  });

  it('rm --force works too', async () => {
    const removed = await cli(['rm', 't', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(repo.root)).toBe(false);
  });
});
