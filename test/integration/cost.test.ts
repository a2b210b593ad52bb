import { copyFileSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 16, the reading side: where each agent keeps its files, which of them belong to a candidate, and
 * "unknown" for an agent that keeps none. The stand-in agent is started under the names `claude` and
 * `codex` (what git-parallel goes by), and the real-format samples are put where those agents write them,
 * for the candidates' worktrees. (test/real-agents/cost.test.ts has the real agents write them.)
 */
describe('the cost of every candidate', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let home: string;

  beforeEach(async () => {
    ({ repo, tmux, agent } = standInWorkspace({
      config: (agent) => {
        const bin = path.join(path.dirname(agent.command), 'named');
        mkdirSync(bin);
        for (const name of ['claude', 'codex']) symlinkSync(agent.command, path.join(bin, name));
        return {
          agents: {
            claude: { ...agent.definition, command: path.join(bin, 'claude') },
            codex: { ...agent.definition, command: path.join(bin, 'codex') },
          },
        };
      },
    }));
    home = path.join(repo.parent, 'home');
    mkdirSync(home);
    const created = await cli(['t', '-n', 'claude:1,codex:1,standin:1', '-p', 'go', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await agent.waitForRecords(3);
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: { ...tmux.env, HOME: home } });
  const worktree = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
  const fixture = (name: string) => path.join(REPO_ROOT, 'test', 'fixtures', 'agent-usage', name);

  it('status, compare --json, compare and the HTML report show the tokens, or unknown', async () => {
    // Claude's transcript for t-1, and one of another folder that must not count.
    const claudeDir = path.join(home, '.claude', 'projects', worktree(1).replace(/[^a-zA-Z0-9]/g, '-'));
    mkdirSync(claudeDir, { recursive: true });
    copyFileSync(fixture('claude-2.1.197-transcript.jsonl'), path.join(claudeDir, 'session.jsonl'));
    const elsewhere = path.join(home, '.claude', 'projects', '-somewhere-else');
    mkdirSync(elsewhere, { recursive: true });
    copyFileSync(fixture('claude-2.1.197-transcript.jsonl'), path.join(elsewhere, 'session.jsonl'));
    // Codex's session for t-2 (its cwd rewritten to the worktree), one for another folder, one from before the run.
    // Codex files sessions by local day; an old day's folder is not even listed.
    const today = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const day = [String(today.getFullYear()), pad(today.getMonth() + 1), pad(today.getDate())];
    const codexDir = path.join(home, '.codex', 'sessions', ...day);
    const oldDay = path.join(home, '.codex', 'sessions', '2020', '01', '01');
    mkdirSync(oldDay, { recursive: true });
    writeFileSync(
      path.join(oldDay, 'rollout-2020.jsonl'),
      readFileSync(fixture('codex-0.171.0-rollout.jsonl'), 'utf8').replaceAll(
        '/w/app-worktrees/c-2',
        worktree(2),
      ),
    );
    mkdirSync(codexDir, { recursive: true });
    const rollout = readFileSync(fixture('codex-0.171.0-rollout.jsonl'), 'utf8');
    writeFileSync(
      path.join(codexDir, 'rollout-a.jsonl'),
      rollout.replaceAll('/w/app-worktrees/c-2', worktree(2)),
    );
    writeFileSync(path.join(codexDir, 'rollout-b.jsonl'), rollout);
    const old = path.join(codexDir, 'rollout-old.jsonl');
    writeFileSync(old, rollout.replaceAll('/w/app-worktrees/c-2', worktree(2)));
    utimesSync(old, new Date('2020-01-01'), new Date('2020-01-01'));
    await waitFor(() => {
      const file = path.join(repo.root, '.git/parallel/t/agents/3.json');
      try {
        return JSON.parse(readFileSync(file, 'utf8')).exit ? true : undefined;
      } catch {
        return undefined;
      }
    }, 'the agents to finish');

    const claude = { input: 2512, cached: 15600, output: 68 };
    const codex = { input: 2400, cached: 2200, output: 90 };
    const compared = JSON.parse((await cli(['compare', 't', '--no-check', '--json'])).stdout);
    const costs = Object.fromEntries(
      compared.candidates.map((c: { n: number; cost: unknown }) => [c.n, c.cost]),
    );
    expect(costs[1]).toMatchObject({ tokens: claude, source: 'claude' });
    expect(costs[2]).toMatchObject({ tokens: codex, source: 'codex' });
    expect(costs[3]).toMatchObject({ tokens: null, source: null });
    for (const n of [1, 2, 3]) expect(costs[n].wallSeconds).toBeGreaterThanOrEqual(0);

    const status = JSON.parse((await cli(['status', 't', '--json'])).stdout);
    expect(status.runs[0].candidates.map((c: { cost: { tokens: unknown } }) => c.cost.tokens)).toEqual([
      claude,
      codex,
      null,
    ]);
    const table = (await cli(['status', 't'])).stdout;
    expect(table).toMatch(/^t-1 .* in 2\.5k · out 68 · cached 16k /m);
    expect(table).toMatch(/^t-3 .* unknown /m);

    const text = await cli(['compare', 't', '--no-check', '--html', path.join(repo.parent, 'r.html')]);
    expect(text.stdout).toContain('t-2: in 2.4k · out 90 · cached 2.2k · ');
    expect(text.stdout).toContain('t-3: tokens unknown (standin keeps no usage git-parallel reads) · ');
    const html = readFileSync(path.join(repo.parent, 'r.html'), 'utf8');
    expect(html).toContain('<th>Cost</th>');
    expect(html).toMatch(/<td class="cost">in 2\.5k · out 68 · cached 16k · \d+s<\/td>/);
  });
});
