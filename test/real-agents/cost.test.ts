import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_USAGE } from './model-server.js';
import { type AgentWorld, useAgentWorld } from './world.js';

/**
 * Issue 16: the real Claude Code and Codex run a turn against the model stand-in (a shell tool call, then
 * the final answer: two replies of the main turn, each reporting MAIN_USAGE), and the token counts they
 * wrote into their own files (Claude's transcript, Codex's session file) appear in `compare --json` and
 * `status --json`, converted to one meaning: input not from a cache, cached, output.
 */
/** Copies the agents' folders (relative to HOME) into $GP_KEEP_AGENT_FILES/<name>, when it is set. */
function keepAgentFiles(world: AgentWorld, folders: Record<string, string>): void {
  const keep = process.env.GP_KEEP_AGENT_FILES;
  if (!keep) return;
  mkdirSync(keep, { recursive: true });
  for (const [name, folder] of Object.entries(folders))
    cpSync(path.join(world.home, folder), path.join(keep, name), { recursive: true });
}

describe('real claude and codex: token counts from their own files', () => {
  // GP_KEEP_AGENT_FILES=<folder>: keep the agents' files, as real-format samples for the unit tests.
  const world = useAgentWorld({
    beforeClose: (w) => keepAgentFiles(w, { claude: '.claude/projects', codex: '.codex/sessions' }),
  });

  it('compare --json and status --json show each candidate’s input, cached and output tokens and its wall time', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli([
      'c',
      '--agents',
      'claude:1,codex:1',
      '-p',
      'record the port',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('c', 'waiting');
    await Promise.all([1, 2].map((n) => world.approve('c', n)));
    await world.waitForAll('c', 'done');

    const claude = MAIN_USAGE.anthropic;
    const codex = MAIN_USAGE.responses;
    const expected = {
      1: {
        input: 2 * (claude.input_tokens + claude.cache_creation_input_tokens),
        cached: 2 * claude.cache_read_input_tokens,
        output: 2 * claude.output_tokens,
      },
      2: {
        input: 2 * (codex.input_tokens - codex.input_tokens_details.cached_tokens),
        cached: 2 * codex.input_tokens_details.cached_tokens,
        output: 2 * codex.output_tokens,
      },
    };
    const compared = await world.cli(['compare', 'c', '--no-check', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout) as {
      candidates: { n: number; cost: { tokens: unknown; source: string; wallSeconds: number } }[];
    };
    const files = () =>
      JSON.stringify({
        claude: readdirSync(path.join(world.home, '.claude', 'projects'), { recursive: true }),
        codex: readdirSync(path.join(world.home, '.codex', 'sessions'), { recursive: true }),
      });
    for (const c of report.candidates) {
      expect(c.cost.tokens, `candidate ${c.n}; files ${files()}`).toEqual(expected[c.n as 1 | 2]);
      expect(c.cost.source).toBe(c.n === 1 ? 'claude' : 'codex');
      expect(c.cost.wallSeconds).toBeGreaterThanOrEqual(0);
    }
    const status = JSON.parse((await world.cli(['status', 'c', '--json'])).stdout) as {
      runs: { candidates: { n: number; cost: { tokens: unknown } }[] }[];
    };
    for (const c of status.runs[0]!.candidates) expect(c.cost.tokens).toEqual(expected[c.n as 1 | 2]);
    const text = await world.cli(['compare', 'c', '--no-check']);
    expect(text.stderr + text.stdout).toContain(`c-1: in 2.5k · out 68 · cached 16k`);
  });
});

describe('real gemini and copilot: token counts from their own files', () => {
  const world = useAgentWorld({
    beforeClose: (w) => keepAgentFiles(w, { gemini: '.gemini', copilot: '.copilot' }),
  });

  it('compare --json shows the tokens Gemini CLI and Copilot CLI recorded, Copilot’s while it is still open', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli([
      'g',
      '--agents',
      'gemini:1,copilot:1',
      '-p',
      'record the port',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('g', 'waiting');
    await Promise.all([1, 2].map((n) => world.approve('g', n)));
    await world.waitForAll('g', 'done');

    const gemini = MAIN_USAGE.gemini;
    // Copilot is pointed at the stand-in as an Anthropic provider.
    const claude = MAIN_USAGE.anthropic;
    const expected = {
      1: {
        input: 2 * (gemini.promptTokenCount - gemini.cachedContentTokenCount),
        cached: 2 * gemini.cachedContentTokenCount,
        output: 2 * (gemini.candidatesTokenCount + gemini.thoughtsTokenCount),
      },
      2: {
        input: 2 * (claude.input_tokens + claude.cache_creation_input_tokens),
        cached: 2 * claude.cache_read_input_tokens,
        output: 2 * claude.output_tokens,
      },
    };
    const compared = await world.cli(['compare', 'g', '--no-check', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout) as {
      candidates: { n: number; cost: { tokens: unknown; source: string } }[];
    };
    for (const c of report.candidates) {
      expect(c.cost.tokens, `candidate ${c.n}`).toEqual(expected[c.n as 1 | 2]);
      expect(c.cost.source).toBe(c.n === 1 ? 'gemini' : 'copilot');
    }
  });
});

describe('real opencode: token counts from its SQLite database', () => {
  const world = useAgentWorld();

  it('compare --json and the text show the tokens opencode recorded in opencode.db, read through opencode db', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli(['o', '--agents', 'opencode:1', '-p', 'record the port', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('o', 'waiting');
    await world.approve('o', 1);
    await world.waitForAll('o', 'done');

    const compared = await world.cli(['compare', 'o', '--no-check', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout) as {
      candidates: {
        n: number;
        cost: { tokens: { input: number; output: number; cached: number } | null; source: string };
      }[];
    };
    const cost = report.candidates[0]!.cost;
    expect(cost.source).toBe('opencode');
    // opencode is pointed at the stand-in as an Anthropic provider: every reply reports MAIN_USAGE (or
    // the stand-in's other usage for a side request); whole replies, so each count is a positive multiple.
    const claude = MAIN_USAGE.anthropic;
    expect(cost.tokens).not.toBeNull();
    const replies = cost.tokens!.cached / claude.cache_read_input_tokens;
    expect(replies).toBeGreaterThanOrEqual(2);
    expect(cost.tokens).toEqual({
      input: replies * (claude.input_tokens + claude.cache_creation_input_tokens),
      cached: replies * claude.cache_read_input_tokens,
      output: replies * claude.output_tokens,
    });
    const text = await world.cli(['compare', 'o', '--no-check']);
    expect(text.stderr + text.stdout).toMatch(/o-1: in \S+ · out \S+ · cached \S+/);
  });
});
