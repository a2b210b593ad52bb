import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAgentWorld } from './world.js';

interface Row {
  name: string;
  found: boolean;
  version: string | null;
  setup?: { signedIn: boolean | null; trusted: boolean | null; steps: string[] };
}

/** `doctor` with the real agents: their versions, and whether each is set up for this repository. */
describe('doctor with the real agents', () => {
  const world = useAgentWorld();

  const rows = async () => {
    const result = await world.cli(['doctor', '--json']);
    return Object.fromEntries(
      (JSON.parse(result.stdout).checks as Row[]).map((row) => [row.name, row]),
    ) as Record<string, Row>;
  };

  it('a set-up user: every agent signed in and this repository trusted; versions as the agents print them', async () => {
    const checks = await rows();
    expect(checks.claude).toMatchObject({
      version: '2.1.197',
      setup: { signedIn: true, trusted: true, steps: [] },
    });
    expect(checks.codex).toMatchObject({
      version: '0.171.0',
      setup: { signedIn: true, trusted: true, steps: [] },
    });
    expect(checks.gemini).toMatchObject({
      version: '0.61.0',
      setup: { signedIn: true, trusted: true, steps: [] },
    });
    expect(checks.opencode).toMatchObject({
      version: '1.18.33',
      setup: { signedIn: true, trusted: null, steps: [] },
    });
    // Copilot prints "GitHub Copilot CLI 1.0.102.": the sentence's dot is not part of the version.
    expect(checks.copilot).toMatchObject({
      version: '1.0.102',
      setup: { signedIn: true, trusted: true, steps: [] },
    });
  });

  it('a new user: says, per agent, the one-time step', async () => {
    for (const file of ['.claude.json', '.codex', '.gemini', '.copilot']) {
      rmSync(path.join(world.home, file), { recursive: true, force: true });
    }
    const checks = await rows();
    expect(checks.claude!.setup).toEqual({
      signedIn: false,
      trusted: false,
      steps: [
        'run claude once and accept ANTHROPIC_API_KEY',
        `run claude once in ${world.repo.root} and answer "Yes, I trust this folder"`,
      ],
    });
    expect(checks.codex!.setup).toMatchObject({ signedIn: false, trusted: false });
    expect(checks.gemini!.setup).toMatchObject({ signedIn: false, trusted: false });
    expect(checks.gemini!.setup!.steps[1]).toBe(
      `in a worktree's first gemini start choose "Trust parent folder" (${path.join(world.repo.parent, 'app-worktrees')})`,
    );
    expect(checks.copilot!.setup).toMatchObject({ trusted: false });
    const human = await world.cli(['doctor']);
    expect(human.stdout).toContain(
      'claude: signed in: no, this repository trusted: no\n  first: run claude once',
    );
  });
});
