import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/** `send`: text typed into the agents' panes of a real tmux session, read back by stand-in agents. */
describe('git parallel send', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;

  beforeEach(async () => {
    ({ repo, tmux, agent } = standInWorkspace({
      config: (agent) => ({
        agents: {
          listener: agent.defineWith({ STANDIN_READ_INPUT: '1', STANDIN_SLEEP_MS: '60000' }),
          quitter: agent.defineWith({}),
        },
      }),
    }));
    const created = await cli(['t', '-n', 'listener:2,quitter:1', '-p', 'go', '--no-attach', '--trust']);
    expect(created.code, created.stderr).toBe(0);
    await agent.waitForRecords(3);
    await waitFor(
      () =>
        existsSync(path.join(repo.root, '.git/parallel/t/agents/3.json')) && exitOf(3) ? true : undefined,
      'the quitter to exit',
    );
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const exitOf = (n: number) =>
    JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/t/agents', `${n}.json`), 'utf8')).exit;
  const input = (n: number) => {
    const file = path.join(agent.recordDir, `input-${n}.txt`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  it('types the same text into every running agent and presses Enter, literally', async () => {
    const text = `now add tests for "login" $(touch PWNED) \`touch PWNED2\` $HOME; -x ünï ✓`;
    const result = await cli(['send', 't', text]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'skipped t-3: its agent has exited (its pane now runs a shell, where the text would run as a command)',
    );
    expect(result.stderr).toContain('Sent to t-1, t-2.');
    await waitFor(() => (input(1) && input(2) ? true : undefined), 'the text in both agents');
    expect(input(1)).toBe(`${text}\n`);
    expect(input(2)).toBe(`${text}\n`);
    for (const n of [1, 2, 3]) {
      const worktree = path.join(repo.parent, 'app-worktrees', `t-${n}`);
      expect(existsSync(path.join(worktree, 'PWNED'))).toBe(false);
      expect(existsSync(path.join(worktree, 'PWNED2'))).toBe(false);
    }
    // The exited agent's pane holds a shell: nothing was typed there.
    const paneOf3 = tmux
      .tmux('list-panes', '-s', '-t', '=app-t', '-F', '#{@gp_name}\t#{pane_id}')
      .split('\n')
      .find((l) => l.startsWith('t-3 '))!
      .split('\t')[1]!;
    expect(tmux.tmux('capture-pane', '-p', '-t', paneOf3)).not.toContain('now add tests');
  });

  it('sends to the chosen candidates only, and line breaks arrive as separate lines', async () => {
    const result = await cli(['send', 't', '2', 'first line\nsecond line', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ schemaVersion: 1, sent: ['t-2'], skipped: [] });
    await waitFor(() => (input(2).split('\n').length >= 3 ? true : undefined), 'both lines');
    expect(input(2)).toBe('first line\nsecond line\n');
    expect(input(1)).toBe('');
  });

  it('refuses bad targets and says when nothing could be sent', async () => {
    const unknown = await cli(['send', 't', '7', 'hello']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('git parallel: the run t has no candidate 7 (it has 1, 2, 3)\n');
    const notANumber = await cli(['send', 't', 'two', 'hello']);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain(
      '"two" is not a candidate number; quote the text to send as one argument',
    );
    const empty = await cli(['send', 't', ' ']);
    expect(empty.code).toBe(2);
    const onlyExited = await cli(['send', 't', '3', 'hello']);
    expect(onlyExited.code).toBe(1);
    expect(onlyExited.stderr).toContain('git parallel: sent to no agent of t');

    tmux.tmux('kill-session', '-t', '=app-t');
    const gone = await cli(['send', 't', 'hello']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(
      'git parallel: the tmux session app-t is gone; git parallel attach t recreates it\n',
    );
  });
});
