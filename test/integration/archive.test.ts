import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PruneArgs, prune } from '../../src/actions/prune.js';
import { callAction } from '../helpers/in-process.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { standInWorkspaceEach } from '../helpers/workspace.js';

/** `rm --archive` and `prune --archives` on real repositories (no multiplexer needed: --mux none). */
describe('archives', () => {
  const workspace = standInWorkspaceEach();
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => workspace.cli(args, { env });
  /** `git parallel prune` in-process (test/helpers/in-process.ts): it starts nothing, so needs no CLI. */
  const pruneIn = (args: Partial<PruneArgs>, json = false) =>
    callAction((io) => prune({ archives: false, dryRun: false, ...args }, io), {
      cwd: workspace.repo.root,
      json,
    });
  const worktree = (task: string, n: number) =>
    path.join(workspace.repo.parent, 'app-worktrees', `${task}-${n}`);
  /** A run of two candidates, worked on by hand: 1 commits and leaves changes, 2 is untouched. */
  async function runWithWork(task: string, content: string): Promise<string> {
    const created = await cli([task, '-n', '2', '--mux', 'none', '--trust']);
    expect(created.code, created.stderr).toBe(0);
    // Issue 11: with no multiplexer nothing is started, and it says so.
    expect(created.stderr).toContain(`Prepared 2 agents for ${task}; none is started (--mux none).`);
    expect(created.stderr).not.toContain('Started');
    const wt = worktree(task, 1);
    writeFileSync(path.join(wt, 'feature.txt'), content);
    workspace.repo.git('-C', wt, 'add', 'feature.txt');
    workspace.repo.git('-C', wt, 'commit', '--quiet', '-m', `feature of ${task}`);
    const tip = workspace.repo.git('-C', wt, 'rev-parse', 'HEAD');
    writeFileSync(path.join(wt, 'README.md'), 'edited, not committed\n');
    writeFileSync(path.join(wt, 'notes.txt'), 'untracked\n');
    return tip;
  }

  it('rm --archive keeps every candidate, committed and uncommitted, where git branch does not look', async () => {
    const tip = await runWithWork('feat', 'first\n');
    const base = workspace.repo.git('rev-parse', 'HEAD');
    const refused = await cli(['rm', 'feat']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'feat-1 has 1 uncommitted change and 1 untracked file and 1 commit not in main',
    );

    const dryRun = await cli(['rm', 'feat', '--archive', '--dry-run']);
    expect(dryRun.stdout).toMatch(
      /^would remove feat:\n {2}archive feat-1, feat-2 under refs\/git-parallel\/feat\/\n(.*\n)* {2}delete the branches feat-1, feat-2\n {2}delete the state of feat\n$/,
    );
    expect(workspace.repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');

    const removed = await cli(['rm', 'feat', '--archive']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Archived refs/git-parallel/feat/1, refs/git-parallel/feat/2');
    expect(existsSync(worktree('feat', 1))).toBe(false);
    expect(workspace.repo.git('branch', '--format=%(refname:short)')).toBe('main');
    expect(workspace.repo.git('status', '--porcelain')).toBe('');

    // Candidate 1: a snapshot commit on top of its branch tip, holding the uncommitted and untracked work.
    expect(workspace.repo.git('rev-parse', 'refs/git-parallel/feat/1^{commit}^')).toBe(tip);
    expect(workspace.repo.git('show', 'refs/git-parallel/feat/1:README.md')).toBe('edited, not committed');
    expect(workspace.repo.git('show', 'refs/git-parallel/feat/1:notes.txt')).toBe('untracked');
    expect(workspace.repo.git('show', 'refs/git-parallel/feat/1:feature.txt')).toBe('first');
    expect(workspace.repo.git('cat-file', '-p', 'refs/git-parallel/feat/1')).toMatch(
      /^tag git-parallel\/feat\/1\n[\s\S]*\ngit-parallel archive of feat-1\n\ntask: feat\ncandidate: 1\nbranch: feat-1\nagent: standin\nbase: [0-9a-f]{40}\nsnapshot: yes$/m,
    );
    // Candidate 2, clean: the archive is its branch tip, which is the base.
    expect(workspace.repo.git('rev-parse', 'refs/git-parallel/feat/2^{commit}')).toBe(base);

    // Restoring is one git command.
    workspace.repo.git('branch', 'feat-1-again', 'refs/git-parallel/feat/1');
    expect(workspace.repo.git('log', '--format=%s', 'feat-1-again', '-2').split('\n')).toEqual([
      'git-parallel snapshot of feat-1',
      'feature of feat',
    ]);
  });

  it('a second run of the same name keeps the older archive too, and prune drops archives by age', async () => {
    await runWithWork('feat', 'first\n');
    // Archived "40 days ago": git honours GIT_COMMITTER_DATE for the archive's date.
    const old = await cli(['rm', 'feat', '--archive'], {
      GIT_COMMITTER_DATE: `${Math.floor(Date.now() / 1000) - 40 * 86400} +0000`,
    });
    expect(old.code, old.stderr).toBe(0);
    await runWithWork('feat', 'second\n');
    expect((await cli(['rm', 'feat', '--archive'])).code).toBe(0);
    await runWithWork('other', 'third\n');
    expect((await cli(['rm', 'other', '--archive'])).code).toBe(0);

    const refs = workspace.repo.git('for-each-ref', '--format=%(refname)', 'refs/git-parallel/').split('\n');
    expect(refs).toHaveLength(5);
    const olderFeat1 = refs.find((r) => /^refs\/git-parallel\/feat\/1-\d{8}T\d{6}Z$/.test(r));
    expect(olderFeat1).toBeDefined();
    expect(workspace.repo.git('show', `${olderFeat1}:feature.txt`)).toBe('first');
    expect(workspace.repo.git('show', 'refs/git-parallel/feat/1:feature.txt')).toBe('second');
    // The clean candidate 2 had the same commit both times: one archive, not two.
    expect(refs.filter((r) => r.startsWith('refs/git-parallel/feat/2'))).toEqual([
      'refs/git-parallel/feat/2',
    ]);

    const preview = await pruneIn({ archives: true, olderThan: '30d', dryRun: true });
    expect(preview.stdout).toMatch(
      new RegExp(`^${olderFeat1!.replaceAll('/', '\\/')} +[0-9a-f]{10} +40d ago$`, 'm'),
    );
    expect(preview.stderr).toContain('Would drop 1 archive older than 30d.');
    expect(workspace.repo.git('for-each-ref', 'refs/git-parallel/').split('\n')).toHaveLength(5);

    const pruned = await pruneIn({ archives: true, olderThan: '30d' }, true);
    expect(JSON.parse(pruned.stdout).archives.map((a: { ref: string }) => a.ref)).toEqual([olderFeat1]);
    expect(workspace.repo.git('for-each-ref', 'refs/git-parallel/').split('\n')).toHaveLength(4);

    const all = await pruneIn({ archives: true });
    expect(all.stderr).toContain('Dropped 4 archives');
    expect(workspace.repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');
    expect((await pruneIn({ archives: true })).stderr).toBe('No archives to drop.\n');
  });

  it('prune needs to be told what to drop, and a readable duration', async () => {
    await expect(pruneIn({})).rejects.toMatchObject({
      name: 'UsageError',
      message:
        'say what to prune: --archives (archived candidates under refs/git-parallel/), --runs (damaged runs and worktrees whose run is gone)',
    });
    await expect(pruneIn({ archives: true, olderThan: 'a month' })).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('--older-than "a month" is not a duration'),
    });
  });

  it('keeps a stand-in agent’s committed and untracked work from a real launch', async () => {
    writeFileSync(
      path.join(workspace.repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: {
          standin: {
            ...workspace.agent.definition,
            env: {
              ...(workspace.agent.definition.env as object),
              STANDIN_COMMIT: '1',
              STANDIN_UNTRACKED: '1',
            },
          },
        },
      }),
    );
    workspace.repo.commit('agent commits');
    expect((await cli(['solo', '-n', '1', '--mux', 'none', '--trust'])).code).toBe(0);
    const launched = await cli(['launch', 'solo', '1']);
    expect(launched.code).toBe(0);
    await waitFor(
      () => (existsSync(path.join(worktree('solo', 1), 'scratch-1.txt')) ? true : undefined),
      'the agent’s files',
    );
    expect((await cli(['rm', 'solo', '--archive'])).code).toBe(0);
    expect(workspace.repo.git('log', '-2', '--format=%s', 'refs/git-parallel/solo/1').split('\n')).toEqual([
      'git-parallel snapshot of solo-1',
      'agent 1',
    ]);
    expect(workspace.repo.git('show', 'refs/git-parallel/solo/1:scratch-1.txt')).toBe('untracked');
  });
});
