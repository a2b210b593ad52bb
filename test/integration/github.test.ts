import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import { makeStandInGh, type StandInGh } from '../helpers/stand-in-gh.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 16: the issue as the spec (`--issue N`, read with gh) and a pull request as the result (`pick --pr`,
 * pushed to a real bare repository and opened with gh). gh is a recording stand-in (its argv and stdin
 * are checked); the refusals are run with no gh on PATH at all.
 */
describe('git parallel --issue and pick --pr', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let gh: StandInGh;
  let remote: string;

  beforeEach(() => {
    ({ repo, tmux, agent } = standInWorkspace({
      config: (agent) => ({ agents: { committer: agent.defineWith({ STANDIN_COMMIT: '1' }) } }),
    }));
    gh = makeStandInGh(repo.parent);
    gh.issue(7, {
      title: 'Login fails with a "+" in the e-mail',
      body: 'Steps: sign up as a+b@example.com, log in.\n\n$HOME and `quotes` stay as they are.',
      url: 'https://github.com/owner/app/issues/7',
      comments: [{ author: { login: 'maria' }, body: 'Also happens with "%".' }],
    });
    remote = path.join(repo.parent, 'remote.git');
    execFileSync('git', ['init', '--quiet', '--bare', remote]);
    repo.git('remote', 'add', 'origin', remote);
    repo.git('push', '--quiet', '--set-upstream', 'origin', 'main');
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...tmux.env, PATH: gh.path, ...env } });
  const stateDir = (task: string) => path.join(repo.root, '.git', 'parallel', task);
  const manifest = (task: string) => JSON.parse(readFileSync(path.join(stateDir(task), 'run.json'), 'utf8'));
  const remoteBranches = () => execFileSync('git', ['-C', remote, 'branch', '--list'], { encoding: 'utf8' });
  const finished = (task: string, n: number) =>
    existsSync(path.join(stateDir(task), 'agents', `${n}.json`)) &&
    JSON.parse(readFileSync(path.join(stateDir(task), 'agents', `${n}.json`), 'utf8')).exit
      ? true
      : undefined;
  const expectNoRun = (task: string) => {
    expect(existsSync(stateDir(task))).toBe(false);
    expect(repo.git('branch', '--list', `${task}-*`)).toBe('');
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  };

  it('--issue 7 names the run issue-7, gives every agent the issue as its prompt, and records it', async () => {
    const created = await cli(['--issue', '7', '-n', '2', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    const prompt =
      '# Login fails with a "+" in the e-mail (issue #7)\n\n' +
      'Steps: sign up as a+b@example.com, log in.\n\n$HOME and `quotes` stay as they are.\n\n' +
      '## Comments\n\n@maria wrote:\n\nAlso happens with "%".\n';
    for (const record of await agent.waitForRecords(2)) expect(record.argv.at(-1)).toBe(prompt);
    expect(readFileSync(path.join(stateDir('issue-7'), 'prompt.md'), 'utf8')).toBe(prompt);
    expect(manifest('issue-7').issue).toEqual({
      number: 7,
      title: 'Login fails with a "+" in the e-mail',
      url: 'https://github.com/owner/app/issues/7',
      repo: null,
    });
    expect(manifest('issue-7').candidates.map((c: { branch: string }) => c.branch)).toEqual([
      'issue-7-1',
      'issue-7-2',
    ]);
    expect(gh.calls().map((c) => c.argv)).toEqual([
      ['issue', 'view', '7', '--json', 'title,body,comments,url'],
    ]);
  });

  it('an issue URL and a task name of its own: the URL goes to gh, the repository is recorded', async () => {
    const url = 'https://github.com/owner/app/issues/7';
    const created = await cli(['fix-login', '--issue', url, '-n', '1', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    expect(manifest('fix-login').issue).toMatchObject({ number: 7, repo: 'owner/app' });
    expect(gh.calls()[0]!.argv.slice(0, 3)).toEqual(['issue', 'view', url]);
  });

  it('refuses, with one line and exit 2 and nothing created: no gh, an unknown issue, a bad reference, --prompt too', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--issue', '7', '--no-attach'], { PATH: gh.pathWithoutGh }, /gh \(GitHub CLI\) is not on PATH/],
      [['--issue', '99', '--no-attach'], {}, /gh could not read issue 99: GraphQL: Could not resolve/],
      [['--issue', 'seven', '--no-attach'], {}, /--issue takes an issue number or URL/],
      [['--issue', '7', '-p', 'x', '--no-attach'], {}, /--issue gives the prompt; leave out --prompt/],
      [['--no-attach', '-n', '1'], {}, /give the run a task name/],
    ];
    for (const [args, env, message] of cases) {
      const result = await cli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expectNoRun('issue-7');
      expectNoRun('issue-99');
    }
  });

  it('pick --pr --draft pushes the winner and opens a pull request whose body closes the issue', async () => {
    const created = await cli(['--issue', '7', '-n', 'committer:2', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await waitFor(() => (finished('issue-7', 1) && finished('issue-7', 2) ? true : undefined), 'agents');
    writeFileSync(path.join(repo.parent, 'app-worktrees', 'issue-7-2', 'left-over.txt'), 'uncommitted\n');
    const review = {
      schemaVersion: 1,
      candidates: [
        { number: 1, score: 5, strengths: ['short'], defects: ['no test'], risks: [] },
        { number: 2, score: 8, strengths: ['handles "+" and "%"'], defects: [], risks: ['touches login'] },
      ],
      ranking: [2, 1],
      recommended: 2,
      reasons: 'Candidate 2 covers both characters.',
    };
    writeFileSync(path.join(stateDir('issue-7'), 'review.json'), JSON.stringify(review));

    const picked = await cli(['pick', 'issue-7', '2', '--pr', '--draft', '--json']);
    expect(picked.code, picked.stderr).toBe(0);
    const document = JSON.parse(picked.stdout);
    expect(document).toMatchObject({
      pullRequest: 'https://github.com/owner/app/pull/12',
      branch: 'issue-7-2',
      remote: 'origin',
      base: 'main',
      draft: true,
      committedUncommittedWork: true,
      closes: 7,
    });
    // The branch on the remote is the candidate's, with its uncommitted file committed on it.
    const pushed = execFileSync('git', ['-C', remote, 'rev-parse', 'refs/heads/issue-7-2'], {
      encoding: 'utf8',
    });
    expect(pushed.trim()).toBe(repo.git('rev-parse', 'refs/heads/issue-7-2'));
    expect(repo.git('show', '--name-only', '--format=', 'issue-7-2')).toContain('left-over.txt');

    const calls = gh.calls();
    expect(calls.map((c) => c.argv.slice(0, 2))).toEqual([
      ['issue', 'view'],
      ['auth', 'status'],
      ['pr', 'create'],
    ]);
    const create = calls[2]!;
    expect(create.argv).toEqual([
      'pr',
      'create',
      '--head',
      'issue-7-2',
      '--base',
      'main',
      '--title',
      'Login fails with a "+" in the e-mail',
      '--body-file',
      '-',
      '--draft',
    ]);
    expect(create.cwd).toBe(repo.root);
    expect(create.stdin).toContain('Candidate 2 (committer) of 2');
    expect(create.stdin).toMatch(/\| \*\*2\*\* \(picked\) \| committer \| 2 \| \+2 −0 \|/);
    expect(create.stdin).toContain('Recommended: candidate 2.');
    expect(create.stdin).toContain('Candidate 2 covers both characters.');
    expect(create.stdin).toContain('- handles "+" and "%"');
    expect(create.stdin).toContain('- touches login');
    expect(create.stdin.trimEnd().endsWith('Closes #7')).toBe(true);
    // Nothing merged here, and the run is kept for review comments.
    expect(repo.git('rev-parse', 'main')).toBe(repo.git('rev-parse', 'origin/main'));
    expect(existsSync(path.join(stateDir('issue-7'), 'run.json'))).toBe(true);
  });

  it('pick --pr refuses before anything changes: no gh, logged out, no remote, local-merge options', async () => {
    const created = await cli(['t', '-p', 'go', '-n', '1', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await agent.waitForRecords(1);
    await waitFor(() => finished('t', 1), 'the agent');
    const worktree = path.join(repo.parent, 'app-worktrees', 't-1');
    writeFileSync(path.join(worktree, 'work.txt'), 'not committed yet\n');
    const head = repo.git('rev-parse', 'refs/heads/t-1');
    const cases: [string[], NodeJS.ProcessEnv, RegExp, () => void][] = [
      [['pick', 't', '1', '--pr'], { PATH: gh.pathWithoutGh }, /gh \(GitHub CLI\) is not on PATH/, () => {}],
      [
        ['pick', 't', '1', '--pr'],
        { GH_STANDIN_LOGGED_OUT: '1' },
        /gh is not logged in .*gh auth login/,
        () => {},
      ],
      [
        ['pick', 't', '1', '--pr', '--squash'],
        {},
        /--pr opens a pull request .* --squash does not apply/,
        () => {},
      ],
      [
        ['pick', 't', '1', '--draft'],
        {},
        /--draft opens a draft pull request, so it goes with --pr/,
        () => {},
      ],
      [['pick', 't', '9', '--pr'], {}, /the run t has no candidate 9/, () => {}],
      [
        ['pick', 't', '1', '--pr'],
        {},
        /cannot open a pull request of t-1: git cannot read its worktree .*its uncommitted work is unknown/,
        () => writeFileSync(path.join(repo.root, '.git', 'worktrees', 't-1', 'index'), 'garbage'),
      ],
      [
        ['pick', 't', '1', '--pr'],
        {},
        /the repository has no remote to push to; add one with git remote add origin/,
        () => repo.git('remote', 'remove', 'origin'),
      ],
    ];
    for (const [args, env, message, before] of cases) {
      before();
      const result = await cli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(repo.git('rev-parse', 'refs/heads/t-1')).toBe(head);
      expect(readFileSync(path.join(worktree, 'work.txt'), 'utf8')).toBe('not committed yet\n');
      expect(remoteBranches()).not.toContain('t-1');
    }
    expect(gh.calls().filter((c) => c.argv[0] === 'pr')).toEqual([]);
  });
});
