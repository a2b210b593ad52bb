import { describe, expect, it } from 'vitest';
import { useAgentWorld } from './world.js';

/**
 * A turn that ends in an API error is `failed`, from each agent's own report of it, with the agent still
 * open. The model stand-in answers the turn's first request with HTTP 400 invalid_request_error, which
 * none of these agents retries (so the test waits on no back-off). Claude Code's StopFailure is proven in
 * lineups.test.ts.
 */
describe.each([
  // opencode's plugin sees session.error (src/io/agent-hooks.ts, opencodePlugin).
  'opencode',
  // Copilot CLI's errorOccurred hook (src/io/agent-hooks.ts, copilotHooks).
  'copilot',
  // Gemini CLI and Codex have no such hook (Gemini's AfterAgent fires as for a finished turn, Codex's
  // notify not at all): their own error line, last on their screen (src/core/agent-screens.ts).
  'gemini',
  'codex',
])('real %s: an API error', (agent) => {
  const world = useAgentWorld();

  it('ends the turn failed, from its own hook, while the agent stays open', async () => {
    world.server.failNext(1);
    const created = await world.cli(['e', '--agents', '1', '--agent', agent, '-p', 'go', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('e', 'failed', 120_000);
    const [failed] = await world.states('e');
    expect(failed!.reason).toMatch(/^its turn ended in an/);
    expect(failed!.reason).not.toMatch(/exited/);
    expect(world.processesInside().length).toBeGreaterThan(0);

    // The next message runs a good turn: the error above it on screen no longer counts.
    const sent = await world.cli(['send', 'e', '1', 'again']);
    expect(sent.code, sent.stderr).toBe(0);
    await world.waitForAll('e', 'waiting');
    await world.approve('e', 1);
    await world.waitForAll('e', 'done');
    expect(world.probe('e', 1)?.PORT).toBe(String(world.manifest('e').candidates[0]!.ports.PORT));
  });
});
