import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 18: run creation writes every pane's script ahead, so a fresh pane runs `sh` and no Node
 * launcher. Seen with strace on the tmux server itself (started here, before the run, under
 * `strace -f -e trace=execve`): every program a pane ever runs is in its log.
 */
describe('the panes of a new run', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let tracer: ChildProcess;
  let log: string;
  beforeEach(async () => {
    ({ repo, tmux, agent } = standInWorkspace());
    log = path.join(repo.parent, 'tmux-server.strace');
    // The server's own environment, which panes start with: one variable the caller also has (the
    // caller's value must win), one only the server has (it must reach the agent).
    // A server with one session of its own, started by tmux under strace: the server it forks is traced.
    tracer = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=execve',
        '-s',
        '4096',
        '-o',
        log,
        'tmux',
        '-L',
        tmux.socket,
        'new-session',
        '-d',
        '-s',
        'keep',
        'sleep 600',
      ],
      { env: { ...process.env, GP_BOTH: 'server', GP_SERVER_ONLY: 'server' }, stdio: 'ignore' },
    );
    const serverUp = () => {
      try {
        execFileSync('tmux', ['-L', tmux.socket, 'has-session', '-t', '=keep'], { stdio: 'ignore' });
        return true;
      } catch {
        return undefined;
      }
    };
    await waitFor(serverUp, 'the server');
  });
  afterEach(() => {
    closeWorkspace({ repo, tmux });
    tracer.kill('SIGKILL');
  });

  const env = { GP_BOTH: 'caller', GP_CALLER_ONLY: 'caller', SHELL: '/bin/sh' };
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: { ...tmux.env, ...env } });
  const launchers = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => /execve\(.*git-parallel\.js", "launch"/.test(line));
  const agents = () => path.join(repo.root, '.git', 'parallel', 'm', 'agents');

  it('start no Node process, and give the agent the environment the Node launcher gives it', async () => {
    const created = await cli(['m', '-n', '2', '-p', 'go', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    const fresh = await agent.waitForRecords(2);
    expect(launchers()).toEqual([]);
    // The script written ahead was consumed by the pane (a later start reads the run afresh), and is
    // the user's alone: it holds the candidate's environment.
    expect(existsSync(path.join(agents(), '1.prepared.sh'))).toBe(false);
    expect(statSync(path.join(agents(), '1.launch.sh')).mode & 0o777).toBe(0o600);
    await waitFor(
      () => (JSON.parse(readFileSync(path.join(agents(), '2.json'), 'utf8')).exit ? true : undefined),
      'the exit records',
    );

    // The same agents again, through the Node launcher: attach recreating the session with --restart.
    tmux.tmux('kill-session', '-t', '=app-m');
    rmSync(agent.recordDir, { recursive: true });
    mkdirSync(agent.recordDir);
    const attached = await cli(['attach', 'm', '--restart', '--no-attach']);
    expect(attached.code, attached.stderr).toBe(0);
    const again = await agent.waitForRecords(2);
    expect(launchers()).toHaveLength(2);

    for (const [i, record] of fresh.entries()) {
      const other = again[i]!;
      expect(record.argv).toEqual(other.argv);
      expect(record.cwd).toBe(other.cwd);
      // The multiplexer's per-pane variables are each pane's own; everything else is the same.
      const { TMUX: tmuxA, TMUX_PANE: paneA, ...restA } = record.env;
      const { TMUX: tmuxB, TMUX_PANE: paneB, ...restB } = other.env;
      expect(restA).toEqual(restB);
      expect(paneA).toMatch(/^%\d+$/);
      expect(paneA).not.toBe(paneB);
      expect(tmuxA).toContain(tmux.socket);
      expect(tmuxA!.split(',')[0]).toBe(tmuxB!.split(',')[0]);
      expect(record.env).toMatchObject({
        GP_BOTH: 'caller',
        GP_CALLER_ONLY: 'caller',
        GP_SERVER_ONLY: 'server',
      });
      expect(record.env.GIT_PARALLEL_INDEX).toBe(String(i + 1));
    }
    // The panes' programs are what the log shows: without it, the check above would prove nothing.
    expect(execFileSync('grep', ['-c', 'execve', log], { encoding: 'utf8' }).trim()).not.toBe('0');
  });
});
