import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/stand-in-agent.js';
import { FINAL_TEXT } from './model-server.js';
import { CALLER_PROBE, useAgentWorld } from './world.js';

/**
 * Claude Code and Codex from npm, three candidates each and a mixed line-up, running real turns against
 * the model stand-in: the first reply asks for a shell command, the agent asks the user's permission,
 * the test answers it in the pane, the command records PORT, GIT_PARALLEL_WORKTREE and the working folder,
 * and the next reply ends the turn.
 */
describe.each(['claude', 'codex', 'gemini', 'opencode', 'copilot'])('real %s', (agent) => {
  const world = useAgentWorld();

  it('3 candidates: each its own PORT and worktree; working → waiting at a permission → done; send refuses there; rm leaves nothing running', async () => {
    // The prompt starts with "--", holds quotes, "$", a line break: it must arrive byte for byte.
    const prompt = `--fix the "failing" test in $HOME's 'app'\nthen stop`;
    world.server.setToolCallDelay(2500);
    const created = await world.cli([
      't',
      '--agents',
      '3',
      '--agent',
      agent,
      `--prompt=${prompt}`,
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);

    const seen = await world.waitForAll('t', 'waiting');
    for (const states of seen) expect(states.filter((s) => s !== 'starting')[0]).toBe('working');
    const waiting = await world.states('t');
    for (const c of waiting) expect(c.reason).toMatch(/^(permission: .* asks|asks: )/);
    expect(world.server.prompts).toEqual([prompt, prompt, prompt]);

    // Typed into the dialog, the text would answer it: refused, and nothing is typed anywhere.
    const refused = await world.cli(['send', 't', 'please also add docs']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not sent: t-1 \(.+\), t-2 \(.+\), t-3 \(.+\) wait for an answer/);
    expect(refused.stderr).toContain('--force');

    world.server.setToolCallDelay(0);
    await Promise.all([1, 2, 3].map((n) => world.approve('t', n)));
    await world.waitForAll('t', 'done');
    for (const n of [1, 2, 3]) {
      expect(world.screen('t', n)).toContain(FINAL_TEXT);
      const candidate = world.manifest('t').candidates.find((c) => c.n === n)!;
      expect(world.probe('t', n)).toEqual({
        PORT: String(candidate.ports.PORT),
        WORKTREE: world.worktree('t', n),
        PWD: world.worktree('t', n),
        PROBE: CALLER_PROBE,
      });
    }
    const ports = world.manifest('t').candidates.map((c) => c.ports.PORT);
    expect(new Set(ports).size).toBe(3);

    // After the turn, send delivers: the text is the next turn's prompt.
    const sent = await world.cli(['send', 't', '2', 'now the docs']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain('Sent to t-2.');
    await waitFor(
      () => (world.server.prompts.includes('now the docs') ? true : undefined),
      'the follow-up',
      30_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; prompts ${JSON.stringify(world.server.prompts)}; t-2:\n${world.screen('t', 2)}`,
      );
    });

    expect(world.processesInside().length).toBeGreaterThan(0);
    const removed = await world.cli(['rm', 't', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    await waitFor(
      () => (world.processesInside().length === 0 ? true : undefined),
      `no agent process left: ${JSON.stringify(world.processesInside())}`,
      20_000,
    ).catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(world.processesInside())}`);
    });
    await sleep(1000);
    expect(world.processesInside()).toEqual([]);
  });
});
