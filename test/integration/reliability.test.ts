import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { StandIn } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace, worldOf } from '../helpers/workspace.js';

/**
 * Faults, interrupts and races. Each test compares the repository with how it was before the run:
 * worktrees, branches, the state folder and the tmux sessions.
 */
describe('reliability', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;

  beforeEach(() => {
    ({ repo, tmux, agent } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (
    args: string[],
    options: { env?: NodeJS.ProcessEnv; signalAfter?: Parameters<typeof runCli>[1]['signalAfter'] } = {},
  ) =>
    runCli(args, {
      cwd: repo.root,
      env: { ...tmux.env, ...options.env },
      signalAfter: options.signalAfter,
    });
  const stateOf = () => path.join(repo.root, '.git', 'parallel');
  const world = () => worldOf({ repo, tmux }, ['records']);
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^git parallel: /);
    expect(stderr).not.toContain('unexpected error');
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  describe('corruption: every command degrades to a clear message, and rm or prune recovers', () => {
    it.each([
      ['a truncated run.json', (file: string) => writeFileSync(file, '{"version":1,"task":"t","cand')],
      [
        'a hand-edited run.json without candidates',
        (file: string) => writeFileSync(file, JSON.stringify({ version: 1, task: 't' })),
      ],
      ['a deleted run.json', (file: string) => rmSync(file)],
    ])('%s', async (_name, damage) => {
      const before = world();
      expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
      damage(path.join(stateOf(), 't', 'run.json'));

      const list = await cli(['list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^t .*damaged: run\.json/m);
      for (const command of [
        ['status', 't'],
        ['ports', 't'],
        ['attach', 't'],
        ['compare', 't'],
        ['send', 't', 'hi'],
        ['pick', 't', '1'],
      ]) {
        const result = await cli(command);
        expect(result.code, command.join(' ')).toBe(2);
        oneLine(result.stderr);
        expect(result.stderr).toContain('damaged');
      }
      const refused = await cli(['rm', 't']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('git parallel rm t --force removes it, or git parallel prune --runs');

      // Nothing was committed in the worktrees, so prune --runs may remove the run: found by its marks.
      const pruned = await cli(['prune', '--runs']);
      expect(pruned.code).toBe(0);
      expect(pruned.stderr).toContain('Removed t (damaged run): 2 worktrees.');
      expect(world()).toEqual(before);
    });

    it('rm --force removes a damaged run with work in it; prune --runs keeps it', async () => {
      const before = world();
      expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
      writeFileSync(path.join(repo.parent, 'app-worktrees', 't-1', 'work.txt'), 'precious\n');
      writeFileSync(path.join(stateOf(), 't', 'run.json'), 'garbage');
      const kept = await cli(['prune', '--runs']);
      expect(kept.code).toBe(0);
      expect(kept.stderr).toContain('kept t (damaged run): t-1 has 1 untracked file');
      expect(existsSync(path.join(repo.parent, 'app-worktrees', 't-1', 'work.txt'))).toBe(true);
      expect((await cli(['rm', 't', '--force'])).code).toBe(0);
      expect(world()).toEqual(before);
    });

    it('a state folder deleted by hand leaves orphaned worktrees that prune --runs removes', async () => {
      const before = world();
      expect((await cli(['t', '-n', '3', '-p', 'x', '--no-attach'])).code).toBe(0);
      tmux.tmux('kill-session', '-t', '=app-t');
      rmSync(path.join(stateOf(), 't'), { recursive: true });
      expect((await cli(['prune', '--runs', '--dry-run'])).stdout).toContain(
        'would remove t (worktrees of a removed run): t-1, t-2, t-3',
      );
      expect((await cli(['prune', '--runs'])).code).toBe(0);
      expect(world()).toEqual(before);
    });

    it('a worktree deleted by hand, a branch deleted by hand, git worktree prune, a killed tmux server', async () => {
      const before = world();
      expect((await cli(['t', '-n', '3', '-p', 'x', '--no-attach'])).code).toBe(0);
      rmSync(path.join(repo.parent, 'app-worktrees', 't-1'), { recursive: true });
      repo.git('worktree', 'prune');
      repo.git('update-ref', '-d', 'refs/heads/t-2');
      tmux.kill();

      const status = await cli(['status', 't', '--json']);
      expect(status.code).toBe(0);
      const states = JSON.parse(status.stdout);
      expect(JSON.stringify(states)).toContain('gone');
      expect((await cli(['list'])).stdout).toMatch(/tmux app-t gone/);
      const attach = await cli(['attach', 't', '--no-attach']);
      expect(attach.code).toBe(2);
      expect(attach.stderr.trim()).toBe(
        'git parallel: cannot recreate t: the worktree of t-1 is gone; git parallel rm t cleans up',
      );
      const removed = await cli(['rm', 't']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(world()).toEqual(before);
    });
  });

  describe('interrupts at every step of creation leave the repository exactly as before', () => {
    const steps: [
      string,
      (dir: string) => { config?: object; env?: NodeJS.ProcessEnv; when: (stderr: string) => boolean },
    ][] = [
      ['after the 1st worktree', () => ({ when: (s) => /^ {2}t-\d /m.test(s) })],
      ['after the 3rd worktree', () => ({ when: (s) => (s.match(/^ {2}t-\d /gm) ?? []).length >= 3 })],
      [
        'during setup',
        (dir) => ({
          config: { setup: [`touch '${dir}/setup-started-'$GIT_PARALLEL_INDEX; sleep 20`] },
          when: () => existsSync(path.join(dir, 'setup-started-1')),
        }),
      ],
      [
        'during launch',
        (dir) => {
          // A tmux that pauses before starting the second pane, so the signal lands mid-launch.
          const bin = path.join(dir, 'slow-tmux');
          mkdirSync(bin, { recursive: true });
          const real = execFileSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim();
          writeFileSync(
            path.join(bin, 'tmux'),
            `#!/bin/sh\ncase " $* " in *" split-window "*) touch '${dir}/launching'; sleep 1;; esac\nexec ${real} "$@"\n`,
          );
          chmodSync(path.join(bin, 'tmux'), 0o755);
          return {
            env: { PATH: `${bin}:${process.env.PATH}` },
            when: () => existsSync(path.join(dir, 'launching')),
          };
        },
      ],
    ];
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it.each(steps)(`${signal} %s`, async (_step, make) => {
        const dir = path.join(repo.parent, 'step');
        mkdirSync(dir, { recursive: true });
        const step = make(dir);
        if (step.config) {
          writeFileSync(
            path.join(repo.root, '.git-parallelrc.json'),
            JSON.stringify({ agent: 'standin', agents: { standin: agent.definition }, ...step.config }),
          );
          repo.commit('step config');
        }
        const before = world();
        const result = await cli(['t', '-n', '4', '-p', 'x', '--no-attach'], {
          env: step.env,
          signalAfter: { signal, when: step.when },
        });
        expect(result.code).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(result.stderr).toContain(`Interrupted (${signal}); removing what was created`);
        expect(world()).toEqual(before);
        const status = await cli(['status']);
        expect(status.code).toBe(0);
        expect(`${status.stdout}${status.stderr}`).not.toMatch(/^t\b/m);
      });
    }
  });

  it('rm during compare: both end cleanly, one clear line at most, and compare does not bring the run back', async () => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'standin', agents: { standin: agent.definition }, check: 'sleep 1' }),
    );
    repo.commit('check');
    const before = world();
    expect((await cli(['t', '-n', '3', '-p', 'x', '--no-attach'])).code).toBe(0);
    const comparing = cli(['compare', 't', '--json']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const removing = await cli(['rm', 't', '--force']);
    const compared = await comparing;
    expect(removing.code).toBe(0);
    expect([0, 1, 2]).toContain(compared.code);
    if (compared.code !== 0) oneLine(compared.stderr);
    expect(world()).toEqual(before);
  });
});
