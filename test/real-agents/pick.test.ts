import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/stand-in-agent.js';
import { PROBE_FILE } from './model-server.js';
import { useAgentWorld } from './world.js';

/**
 * `pick` ends a run as `rm` does: once the winner is merged, no process of any agent is left, Codex's
 * helpers included (agents.test.ts proves it for `rm`).
 */
describe('real agents: pick', () => {
  const world = useAgentWorld();

  it('a mixed line-up of all five ran a turn; pick merges the winner and leaves no agent process running', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli([
      'p',
      '--agents',
      'claude:1,codex:1,gemini:1,opencode:1,copilot:1',
      '-p',
      'record the port',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('p', 'waiting');
    await Promise.all([1, 2, 3, 4, 5].map((n) => world.approve('p', n)));
    await world.waitForAll('p', 'done');
    // Every agent is still open after its turn, Codex with its helpers.
    const before = world.processesInside();
    for (const agent of ['claude', 'codex', 'gemini', 'opencode', 'copilot'])
      expect(
        before.some((p) => p.command.includes(agent)),
        `${agent} in ${JSON.stringify(before)}`,
      ).toBe(true);

    // Codex's candidate wins: its probe file (uncommitted work) is committed at pick and merged.
    const codexPort = String(world.manifest('p').candidates[1]!.ports.PORT);
    const picked = await world.cli(['pick', 'p', '2']);
    expect(picked.code, picked.stderr).toBe(0);
    const merged = readFileSync(path.join(world.repo.root, PROBE_FILE), 'utf8');
    expect(merged).toContain(`PORT=${codexPort}\n`);
    expect(existsSync(world.worktree('p', 2))).toBe(false);

    await waitFor(
      () => (world.processesInside().length === 0 ? true : undefined),
      'no agent process left',
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(world.processesInside())}`);
    });
    // Nothing comes back a moment later (a helper that restarts itself, a daemon spawned late).
    await sleep(2000);
    expect(world.processesInside()).toEqual([]);
  });
});
