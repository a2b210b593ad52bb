import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/stand-in-agent.js';
import { PROBE_FILE } from './model-server.js';
import { useAgentWorld } from './world.js';

/**
 * Issue 16, with the real agent CLIs against the model stand-in: `synthesize --from 1,2` adds candidate 4
 * to a run of three real agents, with its own worktree, branch and tmux pane, and the real agent in that
 * pane is started with a prompt that holds candidates 1 and 2's diffs (each wrote its own probe file).
 */
describe('real agents: synthesize', () => {
  const world = useAgentWorld();

  it('--from 1,2 adds candidate 4 with its own worktree and pane; its agent gets 1 and 2’s diffs', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli([
      's',
      '--agents',
      'claude:2,codex:1',
      '-p',
      'record the port',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('s', 'waiting');
    await Promise.all([1, 2, 3].map((n) => world.approve('s', n)));
    await world.waitForAll('s', 'done');
    const probes = [1, 2, 3].map((n) => world.probe('s', n)!);
    for (const probe of probes) expect(probe.PORT).toMatch(/^\d+$/);
    const promptsBefore = world.server.prompts.length;

    const synthesized = await world.cli(['synthesize', 's', '--from', '1,2']);
    expect(synthesized.code, synthesized.stderr).toBe(0);
    expect(synthesized.stderr).toContain('Its agent started in a new pane of');
    const worktree = world.worktree('s', 4);
    expect(existsSync(worktree)).toBe(true);
    expect(world.repo.git('-C', worktree, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('s-4');
    expect(world.paneId('s', 4)).toMatch(/^%\d+$/);
    expect(world.manifest('s').candidates.map((c) => c.n)).toEqual([1, 2, 3, 4]);

    // The real claude in the new pane sent the synthesis prompt to the model: 1 and 2's diffs, not 3's.
    const prompt = await waitFor(
      () => world.server.prompts.slice(promptsBefore).find((p) => p.includes(PROBE_FILE)),
      'the synthesis prompt to reach the model',
      120_000,
    );
    // Each probe file is a line of the candidate's diff: +PORT=<its port>, +WORKTREE=<its folder>.
    for (const probe of probes.slice(0, 2)) {
      expect(prompt).toContain(`+PORT=${probe.PORT}`);
      expect(prompt).toContain(`+WORKTREE=${probe.WORKTREE}`);
    }
    expect(prompt).not.toContain(`+WORKTREE=${probes[2]!.WORKTREE}`);
    const stored = readFileSync(path.join(world.repo.root, '.git', 'parallel', 's', 'prompt-4.md'), 'utf8');
    expect(prompt.trim()).toBe(stored.trim());
  });
});
