import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * `pick` on real repositories. Three stand-in agents: 1 commits, then leaves an uncommitted change and
 * an untracked file; 2 commits; 3 fails (exit 3) leaving an untracked file.
 */
describe('git parallel pick', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let base: string;

  beforeEach(async () => {
    ({ repo, tmux, agent } = standInWorkspace({
      config: (agent) => ({
        agents: {
          messy: agent.defineWith({
            STANDIN_COMMIT: '1',
            STANDIN_MODIFY: 'README.md',
            STANDIN_UNTRACKED: '1',
          }),
          tidy: agent.defineWith({ STANDIN_COMMIT: '1' }),
          broken: agent.defineWith({ STANDIN_UNTRACKED: '1', STANDIN_EXIT: '3' }),
        },
      }),
    }));
    base = repo.git('rev-parse', 'HEAD');
    const created = await cli(['t', '-n', 'messy:1,tidy:1,broken:1', '-p', 'go', '--no-attach', '--trust']);
    expect(created.code, created.stderr).toBe(0);
    await agent.waitForRecords(3);
    await waitFor(() => ([1, 2, 3].every((n) => exitRecord(n)) ? true : undefined), 'the agents to finish');
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...tmux.env, ...env } });
  const exitRecord = (n: number) => {
    const file = path.join(repo.root, '.git/parallel/t/agents', `${n}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).exit : undefined;
  };
  const worktree = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
  const runIsGone = () => {
    expect(existsSync(path.join(repo.root, '.git/parallel/t'))).toBe(false);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(repo.git('branch', '--list', 't-*')).toBe('');
    expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
    for (const n of [1, 2, 3]) expect(existsSync(worktree(n))).toBe(false);
  };
  const runIsKept = () => {
    expect(existsSync(path.join(repo.root, '.git/parallel/t/run.json'))).toBe(true);
    expect(repo.git('branch', '--list', 't-*').split('\n')).toHaveLength(3);
    for (const n of [1, 2, 3]) expect(existsSync(worktree(n))).toBe(true);
    expect(repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');
  };

  it("lists each candidate's ignored files once (git ls-files --ignored), and reports what they were", async () => {
    mkdirSync(path.join(worktree(2), 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(worktree(2), 'node_modules', 'dep', 'index.js'), '');
    writeFileSync(path.join(worktree(2), '.gitignore'), 'node_modules/\n');
    const result = await cli(['pick', 't', '1', '--verbose', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const listings = result.stderr.split('\n').filter((line) => /^\+ git ls-files .*--ignored/.test(line));
    expect(listings).toHaveLength(3);
    expect(JSON.parse(result.stdout).ignoredDeleted).toEqual({ 't-2': ['node_modules/'] });
    runIsGone();
  });

  it('--merge (the default): commits the leftovers, merges with a merge commit, archives everyone, removes the run', async () => {
    const result = await cli(['pick', 't', '1']);
    expect(result.stderr).not.toMatch(/error|warning/i);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Committed the uncommitted work of t-1 on t-1.');
    expect(result.stderr).toContain('nothing is lost');

    // A merge commit whose first parent is the old main, second the candidate (never a fast-forward).
    expect(repo.git('rev-parse', 'HEAD^1')).toBe(base);
    expect(repo.git('log', '-1', '--format=%s')).toBe("Merge branch 't-1' (messy, picked by git parallel)");
    expect(repo.git('log', '-1', '--format=%s', 'HEAD^2')).toBe(
      'git-parallel: uncommitted work of t-1 at pick',
    );
    expect(repo.git('log', '-1', '--format=%s', 'HEAD^2^')).toBe('agent 1');
    expect(readFileSync(path.join(repo.root, 'README.md'), 'utf8')).toBe('# app\nchanged by agent 1\n');
    expect(readFileSync(path.join(repo.root, 'scratch-1.txt'), 'utf8')).toBe('untracked\n');
    expect(readFileSync(path.join(repo.root, 'agent-1.txt'), 'utf8')).toBe('work of agent 1\n');
    expect(repo.git('status', '--porcelain')).toBe('');
    runIsGone();

    // Every candidate is archived, out of `git branch`'s sight, and restorable.
    expect(
      repo.git('for-each-ref', '--format=%(refname) %(objecttype)', 'refs/git-parallel/').split('\n'),
    ).toEqual(['refs/git-parallel/t/1 tag', 'refs/git-parallel/t/2 tag', 'refs/git-parallel/t/3 tag']);
    expect(repo.git('branch', '--format=%(refname:short)')).toBe('main');
    expect(repo.git('rev-parse', 'refs/git-parallel/t/1^{commit}')).toBe(repo.git('rev-parse', 'HEAD^2'));
    expect(repo.git('log', '-1', '--format=%s', 'refs/git-parallel/t/2')).toBe('agent 2');
    // The failed candidate's untracked file is in a snapshot commit on top of its branch tip.
    expect(repo.git('log', '-1', '--format=%s', 'refs/git-parallel/t/3')).toBe(
      'git-parallel snapshot of t-3',
    );
    expect(repo.git('rev-parse', 'refs/git-parallel/t/3^{commit}^')).toBe(base);
    expect(repo.git('show', 'refs/git-parallel/t/3:scratch-3.txt')).toBe('untracked');
    repo.git('branch', 'second-opinion', 'refs/git-parallel/t/2');
    expect(repo.git('show', 'second-opinion:agent-2.txt')).toBe('work of agent 2');
  });

  it('--squash makes one commit on the base branch with the given message', async () => {
    const result = await cli(['pick', 't', '2', '--squash', '-m', 'Add the feature (agent 2)', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      picked: 't-2',
      into: 'main',
      strategy: 'squash',
      committedUncommittedWork: false,
      removed: true,
    });
    expect(report.archives.map((a: { ref: string }) => a.ref)).toEqual([
      'refs/git-parallel/t/1',
      'refs/git-parallel/t/2',
      'refs/git-parallel/t/3',
    ]);
    expect(repo.git('rev-list', '--parents', '-1', 'HEAD').split(' ')).toEqual([report.head, base]);
    expect(repo.git('log', '-1', '--format=%B').trim()).toBe('Add the feature (agent 2)');
    expect(repo.git('show', 'HEAD:agent-2.txt')).toBe('work of agent 2');
    runIsGone();
  });

  it('--rebase replays the candidate onto the base branch as it is now and fast-forwards it', async () => {
    repo.write('CHANGELOG.md', 'main moved on\n');
    const moved = repo.commit('main moved on');
    const result = await cli(['pick', 't', '2', '--rebase']);
    expect(result.code).toBe(0);
    expect(repo.git('log', '--format=%s', `${base}..HEAD`).split('\n')).toEqual(['agent 2', 'main moved on']);
    expect(repo.git('rev-parse', 'HEAD^')).toBe(moved);
    expect(repo.git('rev-list', '--merges', '--count', 'HEAD')).toBe('0');
    runIsGone();
  });

  it('stops on a conflict with git’s instructions, leaves the conflict to resolve, and keeps the run', async () => {
    repo.write('agent-1.txt', 'main wrote this first\n');
    repo.commit('main touches agent-1.txt');
    const result = await cli(['pick', 't', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CONFLICT (add/add): Merge conflict in agent-1.txt');
    expect(result.stderr).toContain('Resolve the conflicts in');
    expect(result.stderr).toContain('git merge --abort');
    expect(result.stderr).toMatch(
      /git parallel: picking t-1 stopped on a conflict in agent-1\.txt; the run is kept\n$/,
    );
    expect(repo.git('diff', '--name-only', '--diff-filter=U')).toBe('agent-1.txt');
    expect(existsSync(path.join(repo.root, '.git/MERGE_HEAD'))).toBe(true);
    expect(existsSync(path.join(repo.root, '.git/parallel/t/run.json'))).toBe(true);
    expect(repo.git('branch', '--list', 't-*').split('\n')).toHaveLength(3);
    expect(repo.git('for-each-ref', 'refs/git-parallel/')).toBe('');
  });

  it('refuses, changing nothing, when the main worktree is dirty or on another branch', async () => {
    const before = {
      head: repo.git('rev-parse', 'HEAD'),
      t1: repo.git('rev-parse', 't-1'),
      t1status: repo.git('-C', worktree(1), 'status', '--porcelain'),
    };
    repo.write('README.md', 'edited in main\n');
    const dirty = await cli(['pick', 't', '1']);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toBe(
      `git parallel: the main worktree ${repo.root} has uncommitted changes (1 path); commit or stash them, then pick again\n`,
    );
    repo.git('checkout', '--', 'README.md');

    repo.git('switch', '--quiet', '-c', 'elsewhere');
    const elsewhere = await cli(['pick', 't', '1']);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toBe(
      `git parallel: the main worktree ${repo.root} is on elsewhere, not main; switch with git switch main, or pick into elsewhere with --onto elsewhere\n`,
    );
    expect(repo.git('rev-parse', 'HEAD')).toBe(before.head);
    expect(repo.git('rev-parse', 't-1')).toBe(before.t1);
    expect(repo.git('-C', worktree(1), 'status', '--porcelain')).toBe(before.t1status);
    runIsKept();

    const both = await cli(['pick', 't', '1', '--merge', '--squash']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('choose one of --merge, --squash and --rebase');
    const noSuch = await cli(['pick', 't', '9']);
    expect(noSuch.code).toBe(2);
    expect(noSuch.stderr).toBe('git parallel: the run t has no candidate 9 (it has 1, 2, 3)\n');

    // --onto picks into the branch the main worktree is on; --keep keeps the run.
    const onto = await cli(['pick', 't', '2', '--onto', 'elsewhere', '--keep']);
    expect(onto.code).toBe(0);
    expect(repo.git('show', 'elsewhere:agent-2.txt')).toBe('work of agent 2');
    expect(repo.git('rev-parse', 'main')).toBe(before.head);
    runIsKept();
  });

  it('refuses, changing nothing, when an untracked file in the main worktree is in the way of a file the candidate adds', async () => {
    repo.write('agent-2.txt', 'the user’s own notes\n');
    const t2 = repo.git('rev-parse', 't-2');
    const result = await cli(['pick', 't', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `git parallel: ${repo.root} has untracked files that t-2 adds, which a merge would overwrite: agent-2.txt; move them away or commit them, then pick again\n`,
    );
    expect(readFileSync(path.join(repo.root, 'agent-2.txt'), 'utf8')).toBe('the user’s own notes\n');
    expect(repo.git('rev-parse', 't-2')).toBe(t2);
    expect(repo.git('rev-parse', 'main')).toBe(base);
    runIsKept();
  });

  it('waits while another process removes the run, as a second rm does, instead of picking under it', async () => {
    // A removal in progress (rm's claim, held by a live process) is waited for; once its owner is gone
    // the claim is stale and pick goes on.
    const owner = spawn('sleep', ['2'], { stdio: 'ignore' });
    const claim = path.join(repo.root, '.git/parallel/t/.removing');
    mkdirSync(claim);
    writeFileSync(path.join(claim, 'owner'), `${owner.pid} ${hostname()}\n`);
    const result = await cli(['pick', 't', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`t is being removed by process ${owner.pid}; waiting for it…`);
    expect(result.stderr).toContain('Archived 3 candidates');
    expect(repo.git('show', 'main:agent-2.txt')).toBe('work of agent 2');
    runIsGone();
  });

  it('picks into the linked worktree a run was started from, where its branch is checked out', async () => {
    // The main worktree cannot switch to feature while another worktree has it: pick merges there.
    const featureWorktree = path.join(repo.parent, 'feature-wt');
    repo.git('worktree', 'add', '--quiet', '-b', 'feature', featureWorktree);
    const inFeature = (args: string[]) => runCli(args, { cwd: featureWorktree, env: tmux.env });
    const created = await inFeature(['f', '-n', 'tidy:1', '-p', 'go', '--no-attach', '--trust']);
    expect(created.code, created.stderr).toBe(0);
    const record = path.join(repo.root, '.git/parallel/f/agents/1.json');
    await waitFor(
      () => (existsSync(record) && JSON.parse(readFileSync(record, 'utf8')).exit ? true : undefined),
      'f-1',
    );
    const mainBefore = repo.git('rev-parse', 'main');

    // --dry-run names the worktree it would merge in, and --json gives the plan the pick then follows.
    const dry = await cli(['pick', 'f', '1', '--dry-run']);
    expect(dry.stdout).toContain(
      `  merge f-1 into feature with a merge commit (--no-ff) in the worktree ${featureWorktree}\n`,
    );
    const plan = JSON.parse((await cli(['pick', 'f', '1', '--dry-run', '--json'])).stdout).plan;
    expect(plan).toMatchObject({ target: 'feature', into: featureWorktree, intoLinked: true });

    const picked = await cli(['pick', 'f', '1']);
    expect(picked.code, picked.stderr).toBe(0);
    expect(picked.stderr).toContain('Picked f-1 into feature');
    expect(repo.git('-C', featureWorktree, 'show', 'HEAD:agent-1.txt')).toBe('work of agent 1');
    expect(repo.git('-C', featureWorktree, 'status', '--porcelain')).toBe('');
    expect(repo.git('rev-parse', 'main')).toBe(mainBefore);
    expect(existsSync(path.join(repo.root, '.git/parallel/f'))).toBe(false);
  });

  it('--dry-run says what it would do and does nothing', async () => {
    const result = await cli(['pick', 't', '1', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Would pick t-1 into main:',
        '  end the agents and wait for them',
        '  commit the uncommitted work of t-1 on t-1',
        '  merge t-1 into main with a merge commit (--no-ff)',
        '  archive t-1, t-2, t-3 under refs/git-parallel/t/',
        '  end the session app-t',
        `  remove the worktrees ${worktree(1)}, ${worktree(2)}, ${worktree(3)}`,
        '  delete the branches t-1, t-2, t-3',
        '  delete the state of t',
        '',
      ].join('\n'),
    );
    expect(repo.git('rev-parse', 'HEAD')).toBe(base);
    runIsKept();
  });
});
