import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

interface ProcessRow {
  pid: number;
  ppid: number;
  rssKb: number;
  command: string;
}

/** Every process, with its parent and resident size (kB, on Linux and macOS alike). */
function processTable(): ProcessRow[] {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rssKb: Number(m[3]), command: m[4]! }));
}

/** `root` and everything below it. */
function tree(table: ProcessRow[], root: number): ProcessRow[] {
  const found = table.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++)
    found.push(...table.filter((p) => p.ppid === found[i]!.pid && !found.includes(p)));
  return found;
}

/**
 * Issue 18: a pane keeps no Node launcher for its agent's life. The launcher hands over to `sh`
 * (core/pane-script.ts), which records the exit and then becomes the user's shell.
 */
describe('the pane launcher', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  beforeEach(() => {
    ({ repo, tmux, agent } = standInWorkspace({
      config: (standIn) => ({ agents: { sleeper: standIn.defineWith({ STANDIN_SLEEP_MS: '60000' }) } }),
    }));
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const state = () => path.join(repo.root, '.git', 'parallel', 'm');
  const agentRecord = (n: number) => {
    const file = path.join(state(), 'agents', `${n}.json`);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  };
  const panePids = () =>
    tmux
      .tmux('list-panes', '-s', '-t', '=app-m', '-F', '#{@gp_name} #{pane_pid}')
      .split('\n')
      .map((line) => ({ n: Number(line.match(/^m-(\d+) /)![1]), pid: Number(line.split(' ').at(-1)) }));

  it('holds at most 5 MB resident per pane beyond the agent once the agent runs', async () => {
    const result = await runCli(['m', '-n', 'sleeper:4', '-p', 'go', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(result.code, result.stderr).toBe(0);
    await agent.waitForRecords(4);
    const panes = panePids();
    expect(panes).toHaveLength(4);
    // The agent starts only after Node has handed over, so from its start record on the pane holds the
    // agent and what launched it: `sh`, and no Node.
    const launchers = await waitFor(() => {
      const table = processTable();
      const rows = panes.map(({ n, pid }) => {
        const record = agentRecord(n);
        if (!record?.pid) return undefined;
        const agentTree = new Set(tree(table, record.pid).map((p) => p.pid));
        if (agentTree.size === 0) return undefined;
        return { n, launcher: tree(table, pid).filter((p) => !agentTree.has(p.pid)) };
      });
      return rows.some((row) => row === undefined) ? undefined : rows;
    }, 'every agent to start');
    for (const { n, launcher } of launchers.map((row) => row!)) {
      const kb = launcher.reduce((sum, p) => sum + p.rssKb, 0);
      expect(
        kb,
        `pane ${n}: ${launcher.map((p) => `${p.command} ${p.rssKb} kB`).join(', ')}`,
      ).toBeLessThanOrEqual(5 * 1024);
      expect(launcher.map((p) => p.command)).toEqual(['sh']);
    }
  });

  it('lets Ctrl-C end the agent, records how it ended, and leaves a shell with the candidate environment', async () => {
    // The shell the pane becomes: /bin/sh, not the developer's, whose start-up files may take their time
    // (a pyenv rehash waiting for its lock held up bash here for a minute).
    const result = await runCli(['m', '-n', 'sleeper:1', '-p', 'go', '--no-attach'], {
      cwd: repo.root,
      env: { ...tmux.env, SHELL: '/bin/sh' },
    });
    expect(result.code, result.stderr).toBe(0);
    await agent.waitForRecords(1);
    await waitFor(() => agentRecord(1)?.pid || undefined, 'the start record');
    const [pane] = panePids();
    tmux.tmux('send-keys', '-t', '=app-m:.0', 'C-c');
    const record = await waitFor(() => agentRecord(1)?.exit && agentRecord(1), 'the exit record');
    expect(record.exit).toMatchObject({ code: null, signal: 'SIGINT' });
    expect(Date.parse(record.exit.at)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
    // The pane's history too, with wrapped lines joined: a slow machine may scroll or wrap what we look for.
    const screen = () => tmux.tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', '=app-m:.0');
    await waitFor(() => (screen().includes('was killed by SIGINT') ? true : undefined), 'the exit line');
    // The pane's process is now the user's shell, in the worktree, with the candidate's variables.
    const manifest = JSON.parse(readFileSync(path.join(state(), 'run.json'), 'utf8'));
    const port = manifest.candidates[0].ports.PORT;
    // Typed once the shell is there (typed earlier, the agent's end could swallow it), then every 2 s.
    let typedAt = 0;
    await waitFor(() => {
      if (Date.now() - typedAt > 2000) {
        tmux.tmux('send-keys', '-t', '=app-m:.0', '-l', 'echo "gp-$GIT_PARALLEL_INDEX-$PORT-$(pwd)"');
        tmux.tmux('send-keys', '-t', '=app-m:.0', 'Enter');
        typedAt = Date.now();
      }
      return screen().includes(`gp-1-${port}-${manifest.candidates[0].worktree}`) ? true : undefined;
    }, 'the shell after the agent').catch((error) => {
      throw new Error(`${error.message}:\n${screen()}`);
    });
    const table = processTable();
    expect(tree(table, pane!.pid).map((p) => p.command)).not.toContain('node');
  });
});
