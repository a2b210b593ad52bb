import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/stand-in-agent.js';
import { standInWorkspaceEach } from '../helpers/workspace.js';

describe('tmux layouts and attach', () => {
  const workspace = standInWorkspaceEach();
  const { cli } = workspace;

  it('tabs: one window per agent, named after the candidate', async () => {
    expect((await cli(['t', '-n', '3', '--layout', 'tabs', '--no-attach'])).code).toBe(0);
    expect(workspace.tmux.tmux('list-windows', '-t', '=app-t', '-F', '#{window_name}').split('\n')).toEqual([
      't-1',
      't-2',
      't-3',
    ]);
    expect(workspace.tmux.tmux('show-options', '-w', '-t', '=app-t:t-3', 'remain-on-exit')).toBe(
      'remain-on-exit on',
    );
  });

  it('columns: one window, panes side by side', async () => {
    expect((await cli(['t', '-n', '3', '--layout', 'columns', '--no-attach'])).code).toBe(0);
    const panes = workspace.tmux
      .tmux('list-panes', '-t', '=app-t:', '-F', '#{pane_top} #{pane_left}')
      .split('\n');
    expect(panes).toHaveLength(3);
    expect(new Set(panes.map((p) => p.split(' ')[0])).size).toBe(1);
    expect(new Set(panes.map((p) => p.split(' ')[1])).size).toBe(3);
  });

  it("a user's own layout file: options with placeholders; errors name the file and line", async () => {
    const file = path.join(workspace.repo.parent, 'mine.tmux');
    writeFileSync(
      file,
      '# mine\nwindows single\narrange even-vertical\noption pane-border-format "#{pane_index} {{task}} on {{session}}"\n',
    );
    expect((await cli(['t', '-n', '2', '--layout', file, '--no-attach'])).code).toBe(0);
    expect(workspace.tmux.tmux('show-options', '-w', '-v', '-t', '=app-t:', 'pane-border-format')).toBe(
      '#{pane_index} t on app-t',
    );

    writeFileSync(file, 'windows single\narrange spiral\n');
    const bad = await cli(['u', '-n', '2', '--layout', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      `git parallel: ${file}:2: arrange must be one of tiled, even-horizontal, even-vertical, main-vertical, main-horizontal, not "spiral"`,
    );
    expect(workspace.repo.git('branch', '--list', 'u-*')).toBe('');

    // Issue 11: what only tmux knows (its option names and values) is checked before any worktree is made.
    writeFileSync(file, 'windows single\n# a typo\noption no-such-option 1\n');
    const unknown = await cli(['v', '-n', '2', '--layout', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      `git parallel: ${file}:3: tmux rejects "option no-such-option 1": invalid option: no-such-option`,
    );
    expect(unknown.stderr).not.toContain('Creating');
    writeFileSync(file, 'option pane-border-lines heavy\noption pane-border-lines bogus\n');
    const value = await cli(['v', '-n', '2', '--layout', file]);
    expect(value.stderr.trim()).toBe(
      `git parallel: ${file}:2: tmux rejects "option pane-border-lines bogus": unknown value: bogus`,
    );
    expect(workspace.repo.git('branch', '--list', 'v-*')).toBe('');
    expect(existsSync(path.join(workspace.repo.parent, 'app-worktrees', 'v-1'))).toBe(false);
  });

  it('attach recreates a killed session; exited agents start again only with --restart', async () => {
    expect((await cli(['t', '-n', '2', '-p', 'go', '--no-attach'])).code).toBe(0);
    await workspace.agent.waitForRecords(2);
    const state = path.join(workspace.repo.root, '.git/parallel/t/agents');
    await waitFor(
      () => (existsSync(path.join(state, '2.json')) && agentsExited(state) ? true : undefined),
      'agents to exit',
    );
    workspace.tmux.tmux('kill-session', '-t', '=app-t');
    rmSync(workspace.agent.recordDir, { recursive: true });
    mkdirSync(workspace.agent.recordDir);

    const attach = await cli(['attach', 't', '--no-attach']);
    expect(attach.code).toBe(0);
    expect(attach.stderr).toContain('Recreated the tmux session app-t');
    expect(attach.stdout).toContain(`Attach: tmux -L ${workspace.tmux.socket} attach-session -t =app-t`);
    await waitFor(
      () =>
        workspace.tmux.tmux('capture-pane', '-p', '-t', '=app-t:.0').includes('not starting it again')
          ? true
          : undefined,
      'the resume notice',
    );
    expect(existsSync(path.join(workspace.agent.recordDir, 'agent-1.json'))).toBe(false);

    workspace.tmux.tmux('kill-session', '-t', '=app-t');
    expect((await cli(['attach', 't', '--restart', '--no-attach'])).code).toBe(0);
    const records = await workspace.agent.waitForRecords(2);
    // A positional prompt comes after `--`, so one that starts with `-` is never read as an option (issue 9).
    expect(records[0]!.argv).toEqual(['--', 'go']);
  });

  it('attach of a task that has no run', async () => {
    const result = await cli(['attach', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('git parallel: no run named "nope"; see git parallel list');
  });
});

function agentsExited(state: string): boolean {
  return [1, 2].every((n) => {
    try {
      return Boolean(JSON.parse(readFileSync(path.join(state, `${n}.json`), 'utf8')).exit);
    } catch {
      return false;
    }
  });
}
