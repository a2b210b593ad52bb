import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * `git parallel compare t | head -1` (issue 11 item 4): when the reader of stdout or stderr goes away, the
 * command stops quietly with the status git gets from SIGPIPE (141), not Node's EPIPE stack. The pipe is
 * closed before the command writes anything, which is what `head -1` does to every line after the first.
 */
function runWithClosedOutput(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; closed: 'stdout' | 'both' },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    if (options.closed === 'both') child.stderr.destroy();
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('output into a closed pipe', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  beforeEach(async () => {
    ({ repo, tmux } = standInWorkspace());
    const started = await runCli(['t', '-p', 'hi', '-n', '2', '--mux', 'none'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(started.code).toBe(0);
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  it.each([
    [['compare', 't', '--no-check']],
    [['compare', 't', '--no-check', '--json']],
    [['doctor']],
    [['x', '--dry-run']],
    [['status']],
    [['status', 't']],
    [['list', '--json']],
    [['--help']],
    [['completion', 'bash']],
  ])('%j | head -1 stops quietly', async (args) => {
    const result = await runWithClosedOutput(args, { cwd: repo.root, env: tmux.env, closed: 'stdout' });
    expect(result.output).not.toMatch(/EPIPE|Unhandled|Error|at /);
    expect(result.code).toBe(141);
  });

  it.each([
    [['compare', 't', '--no-check']],
    [['status', 't']],
    [['x', '--dry-run']],
  ])('%j 2>&1 | head -1 stops quietly', async (args) => {
    const result = await runWithClosedOutput(args, { cwd: repo.root, env: tmux.env, closed: 'both' });
    expect(result.code).toBe(141);
  });
});
