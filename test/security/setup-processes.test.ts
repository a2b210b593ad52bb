import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { waitFor } from '../helpers/stand-in-agent.js';

/** Issue 13 item 14: what setup and postCreate leave in the background ends with the run. */
describe('background processes of setup', () => {
  let repo: TestRepo;
  const started: number[] = [];
  beforeEach(() => {
    repo = makeRepo('app');
  });
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Ended, as it should be.
      }
    }
    repo.cleanup();
  });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const config = (settings: Record<string, unknown>) => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', ...settings }),
    );
    repo.commit('config');
  };
  /** A shell command that starts `sleep` in the background (escaping the process group with setsid) and records its pid. */
  const background = (name: string, setsid: boolean) =>
    `${setsid ? 'setsid ' : ''}sh -c 'echo $$ > ${path.join(repo.parent, name)}; exec sleep 300' > /dev/null 2>&1 &`;
  const pidOf = async (name: string) => {
    const pid = await waitFor(() => {
      try {
        return Number(readFileSync(path.join(repo.parent, name), 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    }, `${name} to be written`);
    started.push(pid);
    return pid;
  };

  it('live on while the run lives, and end with rm --force, setsid or not', async () => {
    config({ setup: [background('setup.pid', false)], hooks: { postCreate: background('hook.pid', true) } });
    const result = await runCli(['t', '-n', '1', '--mux', 'none'], { cwd: repo.root });
    expect(result.code).toBe(0);
    const pids = [await pidOf('setup.pid'), await pidOf('hook.pid')];
    for (const pid of pids) expect(alive(pid)).toBe(true);
    expect((await runCli(['rm', 't', '--force'], { cwd: repo.root })).code).toBe(0);
    await waitFor(() => (pids.every((pid) => !alive(pid)) ? true : undefined), 'the processes to end');
  });

  it('end when a setup command is stopped at setupTimeout', async () => {
    config({ setup: [`${background('timeout.pid', true)} sleep 60`], setupTimeout: 1 });
    const result = await runCli(['t', '-n', '1', '--mux', 'none'], { cwd: repo.root });
    expect(result.stderr).toContain('was stopped after 1s (setupTimeout)');
    const pid = await pidOf('timeout.pid');
    await waitFor(() => (!alive(pid) ? true : undefined), 'the escaped process to end');
  });
});
