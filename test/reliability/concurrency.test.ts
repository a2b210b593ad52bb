import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace, worldOf } from '../helpers/workspace.js';
import { folderHash, startInGroup } from './probe.js';
import { reliabilityTally } from './tally.js';

const SCENARIOS = 8;
const tally = reliabilityTally(
  'concurrency',
  '`rm` and `rm --force` during a creation, `list` and `prune --runs` during a creation, 3 runs at once, the same task twice at once, two `rm` of one run at once, checkouts git no longer knows, plain `rm` after SIGKILL mid-checkout and inside `git worktree add`',
  SCENARIOS,
);

/**
 * Issue 10 F7 and races: two commands on one repository at once. Each scenario ends with the repository as
 * it was (worktrees, branches, state, sessions, folders) and the main worktree's own files untouched.
 */
describe('two commands at once', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let saved: string;

  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
    // A slow checkout (a post-checkout hook that waits) keeps the creation in progress long enough.
    for (let i = 0; i < 50; i++) repo.write(`src/file-${i}.txt`, `line ${i}\n`);
    repo.commit('files');
    writeFileSync(path.join(repo.root, 'draft.txt'), 'the user’s own draft\n');
    saved = folderHash(repo.root);
  });
  afterEach(() => closeWorkspace({ repo, tmux }));
  afterAll(() => tally.finish());

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const start = (args: string[]) => startInGroup(args, { cwd: repo.root, env: tmux.env });
  const lost = () => folderHash(repo.root) !== saved;
  const stateOf = () => path.join(repo.root, '.git', 'parallel');
  const world = () => worldOf({ repo, tmux }, ['records', 'hooks']);
  /** Checkouts that wait (up to 20 s) until `release()`: the creation stays in progress until then. */
  const slowCheckouts = () => {
    const hooks = path.join(repo.parent, 'hooks');
    mkdirSync(hooks, { recursive: true });
    const gate = path.join(hooks, 'open');
    writeFileSync(
      path.join(hooks, 'post-checkout'),
      `#!/bin/sh\ntouch '${hooks}/running'\ni=0\nwhile [ ! -e '${gate}' ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n`,
      { mode: 0o755 },
    );
    repo.git('config', 'core.hooksPath', hooks);
    return {
      running: () => existsSync(path.join(hooks, 'running')),
      release: () => writeFileSync(gate, ''),
      close: () => rmSync(gate, { force: true }),
    };
  };
  const until = async (run: ReturnType<typeof start>, pattern: RegExp) => {
    while (!pattern.test(run.stderr()) && run.child.exitCode === null) await sleep(10);
  };
  const untilCreating = (run: ReturnType<typeof start>) => until(run, /^Creating /m);

  it('rm --force and plain rm during a creation wait for it, then remove everything (F7)', async () => {
    await tally.scenario(
      'rm during creation',
      async () => {
        const gate = slowCheckouts();
        const before = world();
        for (const force of [true, false]) {
          gate.close();
          const creating = start(['t', '-n', '5', '-p', 'x', '--no-attach']);
          await untilCreating(creating);
          const removing = start(['rm', 't', ...(force ? ['--force'] : [])]);
          await until(removing, /t is being created \(process \d+\); waiting for it to finish/);
          gate.release();
          const [created, removed] = await Promise.all([creating.done, removing.done]);
          expect(created.code, created.stderr).toBe(0);
          expect(removed.code, removed.stderr).toBe(0);
          expect(removed.stderr).toMatch(/t is being created \(process \d+\); waiting for it to finish/);
          expect(world()).toEqual(before);
        }
      },
      lost,
    );
  });

  it('list shows a creation in progress as such; prune --runs leaves it alone (F7)', async () => {
    await tally.scenario(
      'list and prune during creation',
      async () => {
        const gate = slowCheckouts();
        const before = world();
        const creating = start(['t', '-n', '4', '-p', 'x', '--no-attach']);
        await untilCreating(creating);
        const listed = await cli(['list']);
        expect(listed.stdout).toMatch(/^t .*\(being created\)$/m);
        expect(listed.stdout).not.toContain('did not finish');
        const pruned = await cli(['prune', '--runs']);
        expect(pruned.code, pruned.stderr).toBe(0);
        gate.release();
        const created = await creating.done;
        expect(created.code, created.stderr).toBe(0);
        expect(JSON.parse((await cli(['status', 't', '--json'])).stdout).runs[0].candidates).toHaveLength(4);
        expect((await cli(['rm', 't'])).code).toBe(0);
        expect(world()).toEqual(before);
      },
      lost,
    );
  });

  it('3 runs at once: all created, ports distinct, all removed', async () => {
    await tally.scenario(
      '3 runs at once',
      async () => {
        const before = world();
        const results = await Promise.all(
          ['a', 'b', 'c'].map((task) => cli([task, '-n', '2', '-p', 'x', '--no-attach'])),
        );
        for (const r of results) expect(r.code, r.stderr).toBe(0);
        const ports = (await cli(['ports', '--json'])).stdout;
        const numbers = [...ports.matchAll(/"PORT":\s*(\d+)/g)].map((m) => m[1]);
        expect(new Set(numbers).size).toBe(numbers.length);
        expect((await cli(['rm', 'a', 'b', 'c'])).code).toBe(0);
        expect(world()).toEqual(before);
      },
      lost,
    );
  });

  it('the same task twice at once: exactly one wins, the other says why in one line', async () => {
    await tally.scenario(
      'same task twice',
      async () => {
        const before = world();
        const [one, two] = await Promise.all(
          [1, 2].map(() => cli(['t', '-n', '2', '-p', 'x', '--no-attach'])),
        );
        expect([one!.code, two!.code].sort(), `${one!.stderr}\n${two!.stderr}`).toEqual([0, 2]);
        const loser = one!.code === 2 ? one! : two!;
        expect(loser.stderr.trim().split('\n').at(-1)).toMatch(/^git parallel: a run named t already exists/);
        expect((await cli(['rm', 't'])).code).toBe(0);
        expect(world()).toEqual(before);
      },
      lost,
    );
  });

  it('two rm of one run at once: one removes it, the other finds nothing or nothing left', async () => {
    await tally.scenario(
      'two rm at once',
      async () => {
        const before = world();
        expect((await cli(['t', '-n', '3', '-p', 'x', '--no-attach'])).code).toBe(0);
        const [one, two] = await Promise.all([cli(['rm', 't', '--force']), cli(['rm', 't', '--force'])]);
        expect([one!.code, two!.code], `${one!.stderr}\n${two!.stderr}`).toContain(0);
        // The second waits for the first, then finds the run gone.
        for (const r of [one!, two!])
          if (r.code !== 0)
            expect(r.stderr.trim().split('\n').at(-1)).toBe(
              'git parallel: no run named "t"; see git parallel list',
            );
        expect(world()).toEqual(before);
      },
      lost,
    );
  });

  it('checkouts git no longer knows are found and removed by prune --runs; one with new files is kept (F7)', async () => {
    await tally.scenario(
      'orphaned checkouts',
      async () => {
        expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
        const worktrees = path.join(repo.parent, 'app-worktrees');
        // What an rm racing a creation left before (F7): folders whose admin entry was deleted under them.
        cpSync(path.join(worktrees, 't-1'), path.join(worktrees, 'x-1'), { recursive: true });
        cpSync(path.join(worktrees, 't-2'), path.join(worktrees, 'x-2'), { recursive: true });
        writeFileSync(path.join(worktrees, 'x-2', 'new-work.txt'), 'not in the repository\n');
        expect((await cli(['rm', 't'])).code).toBe(0);
        expect(readdirSync(worktrees).sort()).toEqual(['x-1', 'x-2']);
        // And the hidden folder of a creation killed while it reserved its name (its process is gone).
        const reserving = path.join(stateOf(), '.reserving-4194303-x');
        mkdirSync(reserving, { recursive: true });
        writeFileSync(path.join(reserving, 'run.json'), '{}');
        const kept = await cli(['prune', '--runs']);
        expect(existsSync(reserving)).toBe(false);
        expect(kept.code, kept.stderr).toBe(0);
        expect(kept.stderr).toContain(`kept ${path.join(worktrees, 'x-2')}`);
        expect(readdirSync(worktrees)).toEqual(['x-2']);
        const forced = await cli(['prune', '--runs', '--force']);
        expect(forced.code, forced.stderr).toBe(0);
        expect(existsSync(worktrees)).toBe(false);
      },
      lost,
    );
  });

  /** A creation SIGKILLed while its first checkouts are in their hook, the last not yet written. */
  const killedMidCheckout = async () => {
    const gate = slowCheckouts();
    const creating = start(['t', '-n', '3', '-p', 'x', '--no-attach']);
    while (!gate.running() && creating.child.exitCode === null) await sleep(10);
    creating.signalGroup('SIGKILL');
    await creating.done;
  };
  const rmCleansUp = async (before: ReturnType<typeof world>) => {
    const removed = await cli(['rm', 't']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(world()).toEqual(before);
    expect(existsSync(path.join(repo.parent, 'app-worktrees'))).toBe(false);
  };

  it('a killed creation with a half-written checkout: plain rm cleans it (F5)', async () => {
    await tally.scenario(
      'rm after SIGKILL mid-checkout',
      async () => {
        const before = world();
        await killedMidCheckout();
        await rmCleansUp(before);
      },
      lost,
    );
  });

  it('a creation killed inside git worktree add: plain rm repairs git and cleans it', async () => {
    await tally.scenario(
      'rm after SIGKILL inside git worktree add',
      async () => {
        const before = world();
        await killedMidCheckout();
        // What a `git worktree add` killed half way leaves, as seen after SIGKILLs here: git's admin folder
        // still locked "initializing", with only the lock (t-2, its folder just made) or with an empty
        // commondir (t-3, its folder holding only a half-written .git), which makes every `git worktree` command
        // fail.
        const admin = (n: number) => path.join(repo.root, '.git', 'worktrees', `t-${n}`);
        const folder = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
        const keepOnly = (dir: string, kept: string) => {
          for (const entry of readdirSync(dir))
            if (entry !== kept) rmSync(path.join(dir, entry), { recursive: true });
        };
        for (const n of [2, 3]) {
          keepOnly(folder(n), '.git');
          writeFileSync(path.join(admin(n), 'locked'), 'initializing\n');
          writeFileSync(path.join(admin(n), 'HEAD'), `${'0'.repeat(40)}\n`);
        }
        keepOnly(admin(2), 'locked');
        rmSync(path.join(folder(2), '.git'));
        writeFileSync(path.join(admin(3), 'commondir'), '');
        writeFileSync(path.join(folder(3), '.git'), 'gitdi'); // cut while git wrote it
        expect(spawnSync('git', ['-C', repo.root, 'worktree', 'list']).status).not.toBe(0);
        await rmCleansUp(before);
      },
      lost,
    );
  });
});
