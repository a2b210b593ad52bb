import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn, type StandIn, waitFor } from '../helpers/stand-in-agent.js';

/** `rm --archive` and `prune --archives` on real repositories (no multiplexer needed: --mux none). */
describe('archives', () => {
  let repo: TestRepo;
  let agent: StandIn;

  beforeEach(() => {
    repo = makeRepo('app');
    agent = makeStandIn(repo.parent);
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agents: { standin: agent.definition }, agent: 'standin' }),
    );
    repo.commit('config');
  });
  afterEach(() => repo.cleanup());

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.root, env });
  const worktree = (task: string, n: number) => path.join(repo.parent, 'app-worktrees', `${task}-${n}`);
  /** A run of two candidates, worked on by hand: 1 commits and leaves changes, 2 is untouched. */
  async function runWithWork(task: string, content: string): Promise<string> {
    const created = await cli([task, '-n', '2', '--mux', 'none', '--trust']);
    expect(created.code, created.stderr).toBe(0);
    // Issue 11: with no multiplexer nothing is started, and it says so.
    expect(created.stderr).toContain(`Prepared 2 agents for ${task}; none is started (--mux none).`);
    expect(created.stderr).not.toContain('Started');
    const wt = worktree(task, 1);
    writeFileSync(path.join(wt, 'feature.txt'), content);
    repo.git('-C', wt, 'add', 'feature.txt');
    repo.git('-C', wt, 'commit', '--quiet', '-m', `feature of ${task}`);
    const tip = repo.git('-C', wt, 'rev-parse', 'HEAD');
    writeFileSync(path.join(wt, 'README.md'), 'edited, not committed\n');
    writeFileSync(path.join(wt, 'notes.txt'), 'untracked\n');
    return tip;
  }

  it('rm --archive keeps every candidate, committed and uncommitted, where git branch does not look', async () => {
    const tip = await runWithWork('feat', 'first\n');
    const base = repo.git('rev-parse', 'HEAD');
    const refused = await cli(['rm', 'feat']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'feat-1 has 1 uncommitted change and 1 untracked file and 1 commit not in main',
    );

    const dryRun = await cli(['rm', 'feat', '--archive', '--dry-run']);
    expect(dryRun.stdout).toMatch(
      /^would remove feat:\n {2}archive feat-1, feat-2 under refs\/git-parallel\/feat\/\n(.*\n)* {2}delete the branches feat-1, feat-2\n {2}delete the state of feat\n$/,
    );
    expect(repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');

    const removed = await cli(['rm', 'feat', '--archive']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Archived refs/git-parallel/feat/1, refs/git-parallel/feat/2');
    expect(existsSync(worktree('feat', 1))).toBe(false);
    expect(repo.git('branch', '--format=%(refname:short)')).toBe('main');
    expect(repo.git('status', '--porcelain')).toBe('');

    // Candidate 1: a snapshot commit on top of its branch tip, holding the uncommitted and untracked work.
    expect(repo.git('rev-parse', 'refs/git-parallel/feat/1^{commit}^')).toBe(tip);
    expect(repo.git('show', 'refs/git-parallel/feat/1:README.md')).toBe('edited, not committed');
    expect(repo.git('show', 'refs/git-parallel/feat/1:notes.txt')).toBe('untracked');
    expect(repo.git('show', 'refs/git-parallel/feat/1:feature.txt')).toBe('first');
    expect(repo.git('cat-file', '-p', 'refs/git-parallel/feat/1')).toMatch(
      /^tag git-parallel\/feat\/1\n[\s\S]*\ngit-parallel archive of feat-1\n\ntask: feat\ncandidate: 1\nbranch: feat-1\nagent: standin\nbase: [0-9a-f]{40}\nsnapshot: yes$/m,
    );
    // Candidate 2, clean: the archive is its branch tip, which is the base.
    expect(repo.git('rev-parse', 'refs/git-parallel/feat/2^{commit}')).toBe(base);

    // Restoring is one git command.
    repo.git('branch', 'feat-1-again', 'refs/git-parallel/feat/1');
    expect(repo.git('log', '--format=%s', 'feat-1-again', '-2').split('\n')).toEqual([
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

    const refs = repo.git('for-each-ref', '--format=%(refname)', 'refs/git-parallel/').split('\n');
    expect(refs).toHaveLength(5);
    const olderFeat1 = refs.find((r) => /^refs\/git-parallel\/feat\/1-\d{8}T\d{6}Z$/.test(r));
    expect(olderFeat1).toBeDefined();
    expect(repo.git('show', `${olderFeat1}:feature.txt`)).toBe('first');
    expect(repo.git('show', 'refs/git-parallel/feat/1:feature.txt')).toBe('second');
    // The clean candidate 2 had the same commit both times: one archive, not two.
    expect(refs.filter((r) => r.startsWith('refs/git-parallel/feat/2'))).toEqual([
      'refs/git-parallel/feat/2',
    ]);

    const preview = await cli(['prune', '--archives', '--older-than', '30d', '--dry-run']);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(
      new RegExp(`^${olderFeat1!.replaceAll('/', '\\/')} +[0-9a-f]{10} +40d ago$`, 'm'),
    );
    expect(preview.stderr).toContain('Would drop 1 archive older than 30d.');
    expect(repo.git('for-each-ref', 'refs/git-parallel/').split('\n')).toHaveLength(5);

    const pruned = await cli(['prune', '--archives', '--older-than', '30d', '--json']);
    expect(pruned.code).toBe(0);
    expect(JSON.parse(pruned.stdout).archives.map((a: { ref: string }) => a.ref)).toEqual([olderFeat1]);
    expect(repo.git('for-each-ref', 'refs/git-parallel/').split('\n')).toHaveLength(4);

    const all = await cli(['prune', '--archives']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('Dropped 4 archives');
    expect(repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');
    expect((await cli(['prune', '--archives'])).stderr).toBe('No archives to drop.\n');
  });

  it('prune needs to be told what to drop, and a readable duration', async () => {
    const bare = await cli(['prune']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe(
      'git parallel: say what to prune: --archives (archived candidates under refs/git-parallel/), --runs (damaged runs and worktrees whose run is gone)\n',
    );
    const badAge = await cli(['prune', '--archives', '--older-than', 'a month']);
    expect(badAge.code).toBe(2);
    expect(badAge.stderr).toContain('--older-than "a month" is not a duration');
  });

  it('keeps a stand-in agent’s committed and untracked work from a real launch', async () => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: {
          standin: {
            ...agent.definition,
            env: { ...(agent.definition.env as object), STANDIN_COMMIT: '1', STANDIN_UNTRACKED: '1' },
          },
        },
      }),
    );
    repo.commit('agent commits');
    expect((await cli(['solo', '-n', '1', '--mux', 'none', '--trust'])).code).toBe(0);
    const launched = await cli(['launch', 'solo', '1']);
    expect(launched.code).toBe(0);
    await waitFor(
      () => (existsSync(path.join(worktree('solo', 1), 'scratch-1.txt')) ? true : undefined),
      'the agent’s files',
    );
    expect((await cli(['rm', 'solo', '--archive'])).code).toBe(0);
    expect(repo.git('log', '-2', '--format=%s', 'refs/git-parallel/solo/1').split('\n')).toEqual([
      'git-parallel snapshot of solo-1',
      'agent 1',
    ]);
    expect(repo.git('show', 'refs/git-parallel/solo/1:scratch-1.txt')).toBe('untracked');
  });
});
