import { statSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { standInWorkspaceEach } from '../helpers/workspace.js';

/** Issue 9: the caller's environment reaches the panes even when the tmux server was already running. */
describe('the caller environment', () => {
  const workspace = standInWorkspaceEach();
  beforeEach(() => {
    // The user's tmux server, started before PROBE_VAR existed in their shell.
    workspace.tmux.tmux('new-session', '-d', '-s', 'earlier');
  });

  it('reaches the agent under a running tmux server, from a file only the user can read, never in the layout', async () => {
    const secret = 'sk-not-for-other-users';
    const result = await workspace.cli(['c', '-n', '2', '-p', 'go', '--no-attach'], {
      env: { PROBE_VAR: secret, TERM: 'caller-term' },
    });
    expect(result.code, result.stderr).toBe(0);
    const records = await workspace.agent.waitForRecords(2);
    for (const record of records) {
      expect(record.env.PROBE_VAR).toBe(secret);
      // The pane's own terminal variables stay the pane's.
      expect(record.env.TERM).not.toBe('caller-term');
      expect(record.env.TMUX).toBeTruthy();
    }
    const state = path.join(workspace.repo.root, '.git', 'parallel', 'c');
    expect(statSync(path.join(state, 'caller-env.json')).mode & 0o777).toBe(0o600);
    expect(workspace.tmux.tmux('show-environment', '-g')).not.toContain(secret);
  });
});
