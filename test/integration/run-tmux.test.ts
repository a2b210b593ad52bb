import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/** Everything a shell or a careless tmux call would mangle. */
const HOSTILE_PROMPT = `Add "login" with 'quotes', $(touch PWNED) \`touch PWNED2\` $HOME \${X}
second line # not a comment; ünïcødé ✓ 🚀 \\ back\\slash\ttab`;

describe('git parallel <task> with tmux', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;

  beforeEach(() => {
    ({ repo, tmux, agent } = standInWorkspace({ config: { ports: { PORT: 4000, API_PORT: 8000 } } }));
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[], extra: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
    runCli(args, { cwd: repo.root, env: { ...tmux.env, ...extra.env }, input: extra.input });

  it('starts three agents in their own worktrees with the exact prompt, ports and environment', async () => {
    const base = repo.git('rev-parse', 'HEAD');
    const result = await cli(['add-auth', '--agents', '3', '--prompt', HOSTILE_PROMPT, '--no-attach']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`tmux -L ${tmux.socket} attach-session -t =app-add-auth`);

    const records = await agent.waitForRecords(3);
    const manifest = JSON.parse(
      readFileSync(path.join(repo.root, '.git/parallel/add-auth/run.json'), 'utf8'),
    );
    expect(manifest.base).toEqual({ commit: base, ref: 'main' });
    expect(manifest.phase).toBe('ready');

    const ports = new Set<number>();
    records.forEach((record, i) => {
      const n = i + 1;
      const worktree = path.join(repo.parent, 'app-worktrees', `add-auth-${n}`);
      expect(record.argv).toEqual(['--', HOSTILE_PROMPT]);
      expect(record.cwd).toBe(worktree);
      expect(record.env.GIT_PARALLEL_TASK).toBe('add-auth');
      expect(record.env.GIT_PARALLEL_INDEX).toBe(String(n));
      expect(record.env.GIT_PARALLEL_BRANCH).toBe(`add-auth-${n}`);
      expect(record.env.GIT_PARALLEL_WORKTREE).toBe(worktree);
      expect(record.env.GIT_PARALLEL_BASE).toBe(base);
      const candidate = manifest.candidates[i];
      expect(record.env.PORT).toBe(String(candidate.ports.PORT));
      expect(record.env.API_PORT).toBe(String(candidate.ports.API_PORT));
      expect(candidate.ports.PORT - 4000).toBe(candidate.ports.API_PORT - 8000);
      ports.add(candidate.ports.PORT);
      expect(repo.git('-C', worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`add-auth-${n}`);
      expect(repo.git('-C', worktree, 'rev-parse', 'HEAD')).toBe(base);
    });
    expect(ports.size).toBe(3);
    expect(existsSync(path.join(repo.parent, 'app-worktrees/add-auth-1/PWNED'))).toBe(false);
    expect(existsSync(path.join(repo.parent, 'app-worktrees/add-auth-1/PWNED2'))).toBe(false);

    // One window, one pane per agent, labelled `<task>-<n> · <agent> · :<PORT>`.
    const panes = tmux
      .tmux('list-panes', '-s', '-t', '=app-add-auth', '-F', '#{window_index} #{@gp_name}')
      .split('\n');
    expect(panes).toHaveLength(3);
    expect(new Set(panes.map((p) => p.split(' ')[0])).size).toBe(1);
    expect(panes.map((p) => p.slice(p.indexOf(' ') + 1))).toEqual(
      manifest.candidates.map(
        (c: { n: number; ports: { PORT: number } }) => `add-auth-${c.n} · standin · :${c.ports.PORT}`,
      ),
    );
    expect(tmux.tmux('show-options', '-w', '-t', '=app-add-auth:', 'pane-border-status')).toContain('top');

    // The session environment is not polluted with one candidate's variables.
    expect(tmux.tryTmux('show-environment', '-t', '=app-add-auth', 'PORT')).toBeNull();

    // The state folder: manifest, prompt byte for byte, a tmux file that recreates the session, agent records.
    const state = path.join(repo.root, '.git/parallel/add-auth');
    expect(readFileSync(path.join(state, 'prompt.md'), 'utf8')).toBe(HOSTILE_PROMPT);
    expect(readFileSync(path.join(state, 'session.tmux'), 'utf8')).toContain(
      'new-session -d -s app-add-auth',
    );
    const exits = await waitFor(() => {
      const files = [1, 2, 3].map((n) => path.join(state, 'agents', `${n}.json`));
      if (!files.every((f) => existsSync(f))) return undefined;
      const recs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
      return recs.every((r) => r.exit) ? recs : undefined;
    }, 'agent exit records');
    for (const record of exits) {
      expect(record.pid).toBeGreaterThan(0);
      expect(record.exit.code).toBe(0);
    }
    // The launcher says how the agent ended and leaves the pane open.
    await waitFor(
      () =>
        tmux.tmux('capture-pane', '-p', '-t', '=app-add-auth:.0').includes('exited with code 0')
          ? true
          : undefined,
      'exit line in pane',
    );
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('passes the prompt by flag or stdin as the agent definition says, and --yolo / --model flags', async () => {
    const config = {
      agents: {
        flagged: {
          ...agent.definition,
          prompt: { flag: '-i' },
          args: ['--interactive'],
          yolo: ['--skip', '--all'],
          model: '--model',
        },
        piped: {
          ...agent.definition,
          prompt: 'stdin',
          env: { ...(agent.definition.env as object), STANDIN_READ_STDIN: '1' },
        },
      },
    };
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
    const result = await cli([
      't',
      '-n',
      'flagged:1,piped:1',
      '--prompt',
      'two\nlines',
      '--yolo',
      '--model',
      'big',
      '--no-attach',
    ]);
    expect(result.code).toBe(0);
    const [flagged, piped] = await agent.waitForRecords(2);
    expect(flagged!.argv).toEqual(['--interactive', '--skip', '--all', '--model', 'big', '-i', 'two\nlines']);
    expect(piped!.argv).toEqual([]);
    expect(piped!.stdin).toBe('two\nlines');
    expect(result.stderr).toContain('piped has no model flag');
  });

  it('reads the prompt from a file or stdin, and starts agents without a prompt when none is given', async () => {
    writeFileSync(path.join(repo.parent, 'prompt.txt'), 'from a file\n');
    expect(
      (await cli(['a', '-n', '1', '-f', path.join(repo.parent, 'prompt.txt'), '--no-attach'])).code,
    ).toBe(0);
    expect((await agent.waitForRecords(1))[0]!.argv).toEqual(['--', 'from a file\n']);

    const fromStdin = 'from stdin: "quoted" $(x)\nsecond line';
    expect((await cli(['b', '-n', '1', '-f', '-', '--no-attach'], { input: fromStdin })).code).toBe(0);
    await waitFor(() => (agent.record(1).env.GIT_PARALLEL_TASK === 'b' ? true : undefined), 'the agent of b');
    expect(agent.record(1).argv).toEqual(['--', fromStdin]);

    const single = await cli(['c', '-n', '1', '--no-attach']);
    expect(single.code).toBe(0);
    expect(single.stderr).toContain('Creating 1 worktree from');
    await waitFor(() => (agent.record(1).env.GIT_PARALLEL_TASK === 'c' ? true : undefined), 'the agent of c');
    expect(agent.record(1).argv).toEqual([]);
  });

  it('lists runs and their ports, and rm refuses to lose work unless forced', async () => {
    const standInEnv = { ...(agent.definition.env as object), STANDIN_COMMIT: '1' };
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'standin', agents: { standin: { ...agent.definition, env: standInEnv } } }),
    );
    expect((await cli(['feat', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
    await agent.waitForRecords(2);
    await waitFor(
      () => (repo.git('rev-list', '--count', 'main..feat-2') === '1' ? true : undefined),
      'agent commits',
    );

    const list = JSON.parse((await cli(['list', '--json'])).stdout);
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0]).toMatchObject({
      task: 'feat',
      candidateCount: 2,
      agents: 'standin×2',
      session: 'app-feat',
      sessionAlive: true,
      phase: 'ready',
    });

    const ports = JSON.parse((await cli(['ports', 'feat', '--json'])).stdout).ports;
    expect(ports.map((p: { candidate: string }) => p.candidate)).toEqual(['feat-1', 'feat-2']);
    const human = await cli(['ports', 'feat']);
    expect(human.stdout).toMatch(new RegExp(`^feat-1 +${ports[0].slot} +${ports[0].ports.PORT}$`, 'm'));

    const refused = await cli(['rm', 'feat']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('feat-1 has 1 commit not in main');
    // The ways to remove it without losing the work come before the one that discards it.
    expect(refused.stderr).toContain('rm feat --archive to keep every candidate');
    expect(refused.stderr).toContain('--keep-branches to keep the branches and their commits');
    expect(repo.git('branch', '--list', 'feat-*')).toContain('feat-1');
    expect(tmux.tryTmux('has-session', '-t', '=app-feat')).not.toBeNull();

    // Keeping the branches loses nothing that is committed.
    const kept = await cli(['rm', 'feat', '--keep-branches']);
    expect(kept.code).toBe(0);
    expect(repo.git('branch', '--list', 'feat-*').split('\n')).toHaveLength(2);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(tmux.tryTmux('has-session', '-t', '=app-feat')).toBeNull();
    expect(existsSync(path.join(repo.root, '.git/parallel/feat'))).toBe(false);
  });

  it('rm refuses for uncommitted or untracked work, and --force removes everything', async () => {
    expect((await cli(['wip', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
    await agent.waitForRecords(2);
    const wt1 = path.join(repo.parent, 'app-worktrees', 'wip-1');
    writeFileSync(path.join(wt1, 'README.md'), 'changed\n');
    writeFileSync(path.join(repo.parent, 'app-worktrees', 'wip-2', 'new.txt'), 'new\n');

    const refused = await cli(['rm', 'wip']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('wip-1 has 1 uncommitted change');
    expect(refused.stderr).toContain('wip-2 has 1 untracked file');
    expect(existsSync(wt1)).toBe(true);

    const forced = await cli(['rm', 'wip', '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(wt1)).toBe(false);
    expect(repo.git('branch', '--list', 'wip-*')).toBe('');
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(tmux.tryTmux('has-session', '-t', '=app-wip')).toBeNull();
  });
});
