import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn, type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';

/**
 * `status` from real agents' facts: a stand-in agent per behaviour (sleeps, prints, asks for input
 * through the Claude Code hook git-parallel installed, exits 0, exits 3), in a real tmux session.
 */
describe('git parallel status', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  /** The stand-in under the names whose hooks git-parallel knows. */
  let asClaude: string;
  let asCodex: string;

  beforeEach(() => {
    repo = makeRepo('app');
    tmux = privateTmux();
    agent = makeStandIn(repo.parent);
    const named = path.join(repo.parent, 'named');
    mkdirSync(named);
    asClaude = path.join(named, 'claude');
    asCodex = path.join(named, 'codex');
    symlinkSync(agent.command, asClaude);
    symlinkSync(agent.command, asCodex);
  });
  afterEach(() => {
    tmux.kill();
    repo.cleanup();
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...tmux.env, ...env } });
  const define = (env: Record<string, string>, command = agent.command) => ({
    ...agent.definition,
    command,
    env: { ...(agent.definition.env as Record<string, string>), ...env },
  });
  const configure = (agents: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agents, idleSeconds: 1, ...extra }),
    );
    repo.commit('config');
  };
  const worktree = (name: string) => path.join(repo.parent, 'app-worktrees', name);
  const exitRecords = (task: string, ns: number[]) =>
    waitFor(() => {
      const files = ns.map((n) => path.join(repo.root, '.git/parallel', task, 'agents', `${n}.json`));
      return files.every((f) => existsSync(f) && JSON.parse(readFileSync(f, 'utf8')).exit) ? true : undefined;
    }, 'exit records');

  it('tells sleeping, printing, waiting, finished and failed agents apart', async () => {
    configure({
      sleeper: define({ STANDIN_SLEEP_MS: '60000' }),
      printer: define({ STANDIN_SLEEP_MS: '60000', STANDIN_TICK_MS: '150' }),
      asker: define(
        {
          STANDIN_SLEEP_MS: '60000',
          STANDIN_HOOK: 'Notification',
          STANDIN_HOOK_MESSAGE: 'Claude needs your permission to use Bash',
        },
        asClaude,
      ),
      finisher: define({ STANDIN_COMMIT: '1', STANDIN_UNTRACKED: '1' }),
      crasher: define({ STANDIN_EXIT: '3' }),
    });
    const started = await cli([
      's',
      '-n',
      'sleeper:1,printer:1,asker:1,finisher:1,crasher:1',
      '-p',
      'go',
      '--no-attach',
      '--trust',
    ]);
    expect(started.stderr).not.toMatch(/error/i);
    expect(started.code).toBe(0);
    await agent.waitForRecords(5);
    await exitRecords('s', [4, 5]);
    await waitFor(
      () => (existsSync(path.join(repo.root, '.git/parallel/s/agents/3.event.json')) ? true : undefined),
      'the hook event',
    );

    // The first look cannot know how long the screens have been still: nobody is idle yet.
    const first = JSON.parse((await cli(['status', 's', '--json'])).stdout).runs[0];
    expect(first.candidates.map((c: { state: string }) => c.state)).toEqual([
      'working',
      'working',
      'waiting',
      'done',
      'failed',
    ]);
    await sleep(1500);
    const result = await cli(['status', 's', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout).runs[0];
    const byName = Object.fromEntries(status.candidates.map((c: { name: string }) => [c.name, c]));
    expect(byName['s-1']).toMatchObject({ state: 'idle', agent: 'sleeper', commits: 0, filesChanged: 0 });
    expect(byName['s-1'].reason).toMatch(/^no output or file change for \ds$/);
    expect(byName['s-2']).toMatchObject({ state: 'working', agent: 'printer' });
    expect(byName['s-3']).toMatchObject({
      state: 'waiting',
      reason: 'asks: Claude needs your permission to use Bash',
    });
    expect(byName['s-4']).toMatchObject({
      state: 'done',
      exitCode: 0,
      commits: 1,
      filesChanged: 2,
      added: 2,
      deleted: 0,
      uncommitted: { changed: 0, untracked: 1 },
    });
    expect(byName['s-5']).toMatchObject({ state: 'failed', exitCode: 3, reason: 'exited with code 3' });
    expect(byName['s-1'].ports.PORT).toBeGreaterThan(4000);

    // The table people read.
    const human = await cli(['status', 's']);
    expect(human.stdout).toMatch(
      /^CANDIDATE +AGENT +STATE +TIME +AHEAD +FILES +\+\/- +PORTS +TOKENS +NOTE$/m,
    );
    expect(human.stdout).toMatch(/^s-4 +finisher +done +\d+s +1 +2 +\+2 -0 +PORT=\d+ +unknown +exited 0$/m);
    expect(human.stdout).toMatch(/^s-5 +crasher +failed \(3\) /m);
    expect(human.stdout).toMatch(/^s-3 +asker +waiting .* asks: Claude needs your permission to use Bash$/m);

    // Without a task: one line per run.
    const all = await cli(['status']);
    expect(all.stdout).toMatch(
      /^s +sleeper printer asker finisher crasher +\d+s +1 waiting, 1 idle, 1 working, 1 done, 1 failed$/m,
    );

    // The hook files never show in git: not in the candidate, not in the main worktree.
    expect(repo.git('-C', worktree('s-3'), 'status', '--porcelain')).toBe('');
    expect(repo.git('status', '--porcelain')).toBe('');
    const settings = JSON.parse(
      readFileSync(path.join(worktree('s-3'), '.claude/settings.local.json'), 'utf8'),
    );
    expect(Object.keys(settings.hooks)).toEqual(['Notification', 'Stop', 'UserPromptSubmit', 'StopFailure']);
    expect(settings.hooks.Stop[0].hooks[0]).toMatchObject({ type: 'command' });
    expect(settings.hooks.Stop[0].hooks[0].command).toContain(' hook-event s 3 done --state-dir ');
    expect(existsSync(path.join(worktree('s-1'), '.claude'))).toBe(false);

    // A killed session: running agents are gone, finished ones keep their exit.
    tmux.tmux('kill-session', '-t', '=app-s');
    const after = JSON.parse((await cli(['status', 's', '--json'])).stdout).runs[0];
    expect(after.sessionAlive).toBe(false);
    expect(after.candidates.map((c: { state: string }) => c.state)).toEqual([
      'gone',
      'gone',
      'gone',
      'done',
      'failed',
    ]);
  });

  it('merges into a tracked .claude/settings.local.json and hides the change; Codex reports through notify', async () => {
    repo.write(
      '.claude/settings.local.json',
      `${JSON.stringify({ permissions: { allow: ['Bash(npm test)'] } }, null, 2)}\n`,
    );
    configure({
      claude: define({ STANDIN_SLEEP_MS: '60000', STANDIN_HOOK: 'Stop' }, asClaude),
      codex: define({ STANDIN_SLEEP_MS: '60000', STANDIN_CODEX_NOTIFY: '1' }, asCodex),
    });
    expect((await cli(['h', '-n', 'claude:1,codex:1', '-p', 'go', '--no-attach', '--trust'])).code).toBe(0);
    await agent.waitForRecords(2);
    const events = path.join(repo.root, '.git/parallel/h/agents');
    await waitFor(
      () =>
        existsSync(path.join(events, '1.event.json')) && existsSync(path.join(events, '2.event.json'))
          ? true
          : undefined,
      'hook events',
    );

    const settings = JSON.parse(
      readFileSync(path.join(worktree('h-1'), '.claude/settings.local.json'), 'utf8'),
    );
    expect(settings.permissions).toEqual({ allow: ['Bash(npm test)'] });
    expect(settings.hooks.Notification[0].hooks[0].command).toContain(' hook-event h 1 waiting ');
    expect(repo.git('-C', worktree('h-1'), 'status', '--porcelain')).toBe('');
    expect(repo.git('-C', worktree('h-2'), 'status', '--porcelain')).toBe('');
    // Codex ignores notify in a project-local config: it goes on its command line, and no file is written.
    expect(existsSync(path.join(worktree('h-2'), '.codex'))).toBe(false);
    const codexArgv = agent.record(2).argv;
    expect(codexArgv[codexArgv.indexOf('-c') + 1]).toMatch(
      /^notify=\[".*", ".*git-parallel\.js", "hook-event", "h", "2", "done", "--state-dir", ".*"\]$/,
    );
    expect(readFileSync(path.join(repo.root, '.claude/settings.local.json'), 'utf8')).not.toContain(
      'hook-event',
    );

    const status = JSON.parse((await cli(['status', 'h', '--json'])).stdout).runs[0];
    expect(status.candidates.map((c: { state: string; reason: string }) => [c.state, c.reason])).toEqual([
      ['done', 'finished its turn (still running)'],
      ['done', 'finished its turn (still running)'],
    ]);
    expect(JSON.parse(readFileSync(path.join(events, '2.event.json'), 'utf8'))).toMatchObject({
      event: 'done',
    });
  });

  it('--watch prints a line per change off a terminal, rings the bell and notifies when one waits and when all finish', async () => {
    const notifyLog = path.join(repo.parent, 'notify-send.log');
    const fakeBin = path.join(repo.parent, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(
      path.join(fakeBin, 'notify-send'),
      `#!/bin/sh\nprintf '%s|%s\\n' "$1" "$2" >> '${notifyLog}'\n`,
    );
    chmodSync(path.join(fakeBin, 'notify-send'), 0o755);
    configure({
      // Long enough that, even on a loaded machine, the agent is still running when its hook reports.
      asker: define({ STANDIN_SLEEP_MS: '12000' }, asClaude),
      quick: define({ STANDIN_SLEEP_MS: '5000', STANDIN_EXIT: '3' }),
    });
    expect((await cli(['w', '-n', 'asker:1,quick:1', '-p', 'go', '--no-attach', '--trust'])).code).toBe(0);
    await agent.waitForRecords(2);

    const child = spawn(process.execPath, [BIN, 'status', 'w', '--watch', '--interval', '0.2'], {
      cwd: repo.root,
      env: { ...process.env, ...tmux.env, PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor(() => (/w-2 working/.test(out) ? true : undefined), 'the first frame');
      expect(out).not.toContain('\x07');
      // What Claude Code does when it needs the user: run the Notification hook installed in its worktree.
      const settings = JSON.parse(
        readFileSync(path.join(worktree('w-1'), '.claude/settings.local.json'), 'utf8'),
      );
      const hook = spawn('/bin/sh', ['-c', settings.hooks.Notification[0].hooks[0].command], {
        cwd: worktree('w-1'),
      });
      hook.stdin.end(JSON.stringify({ message: 'Claude is waiting for your input' }));
      await waitFor(
        () => (/w-1 is waiting for input/.test(out) ? true : undefined),
        'the waiting announcement',
      );
      expect(out).toMatch(/^\d\d:\d\d:\d\d w-1 waiting: asks: Claude is waiting for your input$/m);
      await waitFor(
        () => (/all agents of w have finished/.test(out) ? true : undefined),
        'the all-finished announcement',
        40_000,
      );
      expect(out).toMatch(/^\d\d:\d\d:\d\d w-2 failed \(3\): exited with code 3$/m);
      expect(out.split('\x07')).toHaveLength(3);
      // One line per change, not per refresh.
      expect(out.match(/ w-2 working/g)).toHaveLength(1);
      // notify-send runs after the line is printed: wait for its second notification before reading the log.
      await waitFor(
        () => (readFileSync(notifyLog, 'utf8').trim().split('\n').length >= 2 ? true : undefined),
        'the second desktop notification',
      );
      expect(readFileSync(notifyLog, 'utf8').trim().split('\n')).toEqual([
        'git parallel|w-1 is waiting for input (Claude is waiting for your input)',
        'git parallel|all agents of w have finished',
      ]);
      // Like `gh run watch`: once every agent has finished, the watch ends by itself, with 0.
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
    }
  }, 90_000);

  it('explains a missing run, and shows a damaged one', async () => {
    const missing = await cli(['status', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('git parallel: no run named "nope"; see git parallel list\n');
    mkdirSync(path.join(repo.root, '.git/parallel/broken'), { recursive: true });
    writeFileSync(path.join(repo.root, '.git/parallel/broken/run.json'), '{');
    const all = await cli(['status']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^broken +\? +\? +damaged: run\.json is not valid JSON/m);
    expect((await cli(['status', '--watch', '--interval', '0'])).code).toBe(2);
  });

  it("shows a run whose agent record is damaged as damaged, and the other runs' status still", async () => {
    configure({ finisher: define({}) });
    for (const task of ['good', 'hurt']) {
      const started = await cli([task, '-n', 'finisher:1', '-p', 'go', '--no-attach', '--trust']);
      expect(started.code, started.stderr).toBe(0);
      await exitRecords(task, [1]);
    }
    writeFileSync(path.join(repo.root, '.git/parallel/hurt/agents/1.json'), '{"pid": "one"');
    const all = await cli(['status']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^hurt +\? +\? +damaged: 1\.json is not valid JSON/m);
    expect(all.stdout).toMatch(/^good +finisher\b.*\bdone\b/m);
    const one = await cli(['status', 'hurt']);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(
      /agents\/1\.json is damaged: it is not valid JSON .*git parallel launch hurt 1/,
    );
  });
});
