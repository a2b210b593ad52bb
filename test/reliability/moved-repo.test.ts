import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';
import { folderHash } from './probe.js';
import { reliabilityTally } from './tally.js';

const tally = reliabilityTally(
  'moved-repo',
  'a repository moved with its worktrees, then `git worktree repair`: `status`, `rm`, `rm --force`',
  3,
);

/**
 * Issue 10 F8: a repository moved with its worktrees (`mv repo repo2; mv repo-worktrees repo2-worktrees;
 * git worktree repair …`) keeps working runs: paths come from where the repository is now.
 */
describe('a moved repository', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let moved: string;
  let saved: string;

  beforeEach(async () => {
    ({ repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
    const created = await runCli(['t', '-n', '2', '-p', 'x', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(created.code, created.stderr).toBe(0);
    moved = path.join(repo.parent, 'moved');
    writeFileSync(path.join(repo.root, 'draft.txt'), 'the user’s own draft\n');
    saved = folderHash(repo.root);
    renameSync(repo.root, moved);
    renameSync(path.join(repo.parent, 'app-worktrees'), path.join(repo.parent, 'moved-worktrees'));
    const repair = ['worktree', 'repair', '../moved-worktrees/t-1', '../moved-worktrees/t-2'];
    execFileSync('git', repair, { cwd: moved });
  });
  afterEach(() => closeWorkspace({ repo, tmux }));
  afterAll(() => tally.finish());
  // The main worktree's own draft, moved with it, must be byte for byte as it was.
  const wrap = (name: string, check: () => Promise<void>) =>
    tally.wrap(name, check, () => folderHash(moved) !== saved);

  const cli = (args: string[]) => runCli(args, { cwd: moved, env: tmux.env });

  it(
    'status sees the worktrees where they are now',
    wrap('status after a move', async () => {
      const status = await cli(['status', 't', '--json']);
      expect(status.code, status.stderr).toBe(0);
      const text = status.stdout;
      expect(text).toContain(path.join(repo.parent, 'moved-worktrees', 't-1'));
      expect(text).not.toContain(`${repo.root}${path.sep}`);
    }),
  );

  it(
    'plain rm removes the run, and nothing is recreated at the old path',
    wrap('rm after a move', async () => {
      const removed = await cli(['rm', 't']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(existsSync(repo.root)).toBe(false);
      expect(existsSync(path.join(repo.parent, 'moved-worktrees'))).toBe(false);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: moved, encoding: 'utf8' }).trim();
      expect(git('worktree', 'list', '--porcelain').split('\n\n')).toHaveLength(1);
      expect(git('branch', '--list', 't-*')).toBe('');
      expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
    }),
  );

  it(
    'rm --force works too',
    wrap('rm --force after a move', async () => {
      const removed = await cli(['rm', 't', '--force']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(existsSync(repo.root)).toBe(false);
    }),
  );
});
