import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeUsage } from '../../src/core/agent-usage.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { MAIN_USAGE } from './model-server.js';
import { useAgentWorld } from './world.js';

/**
 * `git parallel review` with the real Claude Code and Codex CLIs as reviewers, in their one-shot modes
 * (`claude --print`, `codex exec`), against the model stand-in, which answers a review prompt with a
 * verdict in the schema the prompt hands over (or, when told, with a malformed one).
 *
 * The run's three candidates were written by claude, codex and gemini (`--mux none`: the test writes
 * their work as the agents would), and their changes carry their own names, branches and worktree
 * paths, which the blind prompt must not.
 */
describe('review with real agents', () => {
  const world = useAgentWorld();

  const TASK = 'Make main() return 42, and say so in the README';
  /** What each candidate wrote: a line only it has, so its diff can be found in a prompt. */
  const work = (n: number) =>
    `export function main() {\n  return ${40 + n}; // answer-of-candidate-${n}\n}\n`;

  async function reviewedRun(): Promise<{ statePath: string }> {
    world.repo.write('src/app.js', 'export function main() {\n  return 1;\n}\n');
    world.repo.write('AGENTS.md', '# House rules\n\nKeep-functions-small.\n');
    world.repo.write(
      'check.cjs',
      "const fs = require('node:fs');\nconst src = fs.readFileSync('src/app.js', 'utf8');\nconsole.log('checked in ' + process.cwd());\nconsole.log(src.includes('return 42') ? 'check-output: all good' : 'check-output: expected 42');\nprocess.exit(src.includes('return 42') ? 0 : 1);\n",
    );
    world.repo.commit('app');
    const created = await world.cli([
      't',
      '--agents',
      'claude:1,codex:1,gemini:1',
      '--mux',
      'none',
      `--prompt=${TASK}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const agents = ['claude', 'codex', 'gemini'];
    for (const n of [1, 2, 3]) {
      const worktree = world.worktree('t', n);
      // Each leaves its name, branch and folder in its work: the reviewers must see none of them.
      writeFileSync(
        path.join(worktree, 'src', 'app.js'),
        `${work(n)}// written by ${agents[n - 1]} on branch t-${n} in ${worktree}\n`,
      );
      if (n === 2) {
        execFileSync('git', ['commit', '-qam', 'candidate work'], { cwd: worktree });
        writeFileSync(path.join(worktree, 'NOTES.md'), `uncommitted-note-of-${n}\n`);
      }
    }
    const compared = await world.cli(['compare', 't', '--check', 'node check.cjs']);
    expect(compared.code, compared.stderr).toBe(0);
    return { statePath: path.join(world.repo.root, '.git', 'parallel', 't') };
  }

  it('two reviewers (claude, codex) judge blind; their combined verdict is stored and compare --json and the HTML report show it', async () => {
    const { statePath } = await reviewedRun();
    // Claude prefers candidate 2's work, Codex candidate 1's: a disagreement, settled by the Borda count.
    world.server.preferInReview('answer-of-candidate-2', 'anthropic');
    world.server.preferInReview('answer-of-candidate-1', 'responses');
    world.server.setReviewDelay(3000);
    const reviewing = world.cli(['review', 't', '--agent', 'claude', '--agent', 'codex']);
    // While it runs, status says so.
    await waitFor(
      async () => {
        const status = await world.cli(['status', 't']);
        return status.stdout.includes('review running: claude, codex') ? true : undefined;
      },
      'status to show the review',
      60_000,
    );
    const reviewed = await reviewing;
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(reviewed.stdout).toMatch(/recommended: [12]/);
    expect((await world.cli(['status', 't'])).stdout).not.toContain('review running');

    // Each reviewer got the whole picture, blind.
    const dialects = new Set(world.server.reviewPrompts.map((p) => p.dialect));
    expect([...dialects].sort()).toEqual(['anthropic', 'responses']);
    for (const { prompt } of world.server.reviewPrompts) {
      expect(prompt).toContain(TASK);
      expect(prompt).toContain('Keep-functions-small.');
      for (const n of [1, 2, 3]) expect(prompt).toContain(`return ${40 + n}; // answer-of-candidate-${n}`);
      expect(prompt).toContain('uncommitted-note-of-2');
      expect(prompt).toContain('node check.cjs');
      expect(prompt).toContain('check-output: all good');
      expect(prompt).toContain('check-output: expected 42');
      expect(prompt).toMatch(/passed/);
      expect(prompt).toMatch(/failed/);
      expect(prompt).not.toMatch(/\b(claude|codex|gemini)\b/i);
      expect(prompt).not.toMatch(/\bt-[123]\b/);
      expect(prompt).not.toContain('app-worktrees');
      expect(prompt).not.toMatch(/candidates?\s+\d/i);
      expect(prompt.match(/^## Candidate [A-C]$/gm)?.sort()).toEqual([
        '## Candidate A',
        '## Candidate B',
        '## Candidate C',
      ]);
    }

    const stored = JSON.parse(readFileSync(path.join(statePath, 'review.json'), 'utf8'));
    expect(stored.schemaVersion).toBe(1);
    expect(stored.reviewers.map((r: { agent: string }) => r.agent)).toEqual(['claude', 'codex']);
    const [byClaude, byCodex] = stored.reviewers;
    expect(byClaude.recommended).toBe(2);
    expect(byCodex.recommended).toBe(1);
    // The review's own cost, from each reviewer's own files: Codex made one model call, the stand-in's
    // usage exactly; Claude at least that (it may also make side calls).
    const { input_tokens, input_tokens_details, output_tokens } = MAIN_USAGE.responses;
    expect(byCodex.cost.tokens).toEqual({
      input: input_tokens - input_tokens_details.cached_tokens,
      output: output_tokens,
      cached: input_tokens_details.cached_tokens,
    });
    expect(byClaude.cost.tokens.output).toBeGreaterThanOrEqual(MAIN_USAGE.anthropic.output_tokens);
    expect(byClaude.cost.tokens.cached).toBeGreaterThanOrEqual(MAIN_USAGE.anthropic.cache_read_input_tokens);
    // The Borda count, done here by hand: 2 points for a first place, 1 for a second.
    const points = new Map<number, number>();
    for (const r of stored.reviewers) {
      r.ranking.forEach((n: number, i: number) => {
        points.set(n, (points.get(n) ?? 0) + 2 - i);
      });
    }
    expect(stored.points).toEqual(Object.fromEntries([...points].map(([n, p]) => [String(n), p])));
    const best = Math.max(...points.values());
    expect(points.get(stored.recommended)).toBe(best);
    expect(stored.ranking[0]).toBe(stored.recommended);
    expect(stored.disagreements.map((d: { kind: string }) => d.kind)).toContain('recommended');
    // Un-blinded: the reviewers' "candidate B" is a candidate number again.
    expect(byClaude.reasons).toBe('candidate 2 does the whole task.');

    const compared = await world.cli(['compare', 't', '--no-check', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const review = JSON.parse(compared.stdout).review;
    expect(review.recommended).toBe(stored.recommended);
    expect(review.current).toBe(true);
    expect(review.reviewers).toHaveLength(2);
    // The review's own cost, in compare's text and the HTML report too, per reviewer.
    const codexCost = `${describeUsage(byCodex.cost.tokens)} (${byCodex.cost.wallSeconds}s)`;
    const compareText = await world.cli(['compare', 't', '--no-check']);
    expect(compareText.stdout + compareText.stderr).toContain('Cost of the review:');
    expect(compareText.stdout + compareText.stderr).toContain(`codex: ${codexCost}`);

    const html = path.join(world.repo.parent, 'report.html');
    const page = await world.cli(['compare', 't', '--no-check', '--html', html]);
    expect(page.code, page.stderr).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('<section id="review">');
    expect(text).toContain(`recommended: ${stored.recommended}</strong>`);
    expect(text).toContain('candidate 2 does the whole task.');
    expect(text).toContain('candidate 1 does the whole task.');
    expect(text).toContain(`<span class="cost">· cost ${codexCost}</span>`);
  });

  it('a malformed verdict is asked for again with the error; malformed twice, it is reported and nothing is stored', async () => {
    const { statePath } = await reviewedRun();
    world.server.malformNextReviews(1);
    const retried = await world.cli(['review', 't', '--agent', 'codex']);
    expect(retried.code, retried.stderr).toBe(0);
    const prompts = world.server.reviewPrompts.filter((p) => p.dialect === 'responses');
    expect(prompts).toHaveLength(2);
    expect(prompts[0]!.prompt).not.toContain('Your previous answer was not valid');
    expect(prompts[1]!.prompt).toContain('## Your previous answer was not valid');
    expect(prompts[1]!.prompt).toMatch(/ranking must be array/);
    const stored = JSON.parse(readFileSync(path.join(statePath, 'review.json'), 'utf8'));
    expect(stored.reviewers[0].attempts).toBe(2);

    // Twice malformed from Claude: one line, exit 1, and the verdict stored before is left as it was.
    const before = readFileSync(path.join(statePath, 'review.json'), 'utf8');
    world.server.malformNextReviews(2);
    const refused = await world.cli(['review', 't', '--agent', 'claude']);
    expect(refused.code).toBe(1);
    expect(
      refused.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('git parallel:')),
    ).toEqual([
      expect.stringMatching(/claude's answer was not a valid verdict, twice \(.*\); no verdict was stored/),
    ]);
    expect(readFileSync(path.join(statePath, 'review.json'), 'utf8')).toBe(before);
    expect(existsSync(path.join(statePath, 'review-running.json'))).toBe(false);
  });

  it('gemini, opencode and copilot review in their one-shot modes too, at once, from an empty scratch folder', async () => {
    const { statePath } = await reviewedRun();
    world.server.preferInReview('answer-of-candidate-3');
    const reviewed = await world.cli([
      'review',
      't',
      '--agent',
      'gemini',
      '--agent',
      'opencode',
      '--agent',
      'copilot',
    ]);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(statePath, 'review.json'), 'utf8'));
    expect(
      stored.reviewers.map((r: { agent: string; recommended: number }) => [r.agent, r.recommended]),
    ).toEqual([
      ['gemini', 3],
      ['opencode', 3],
      ['copilot', 3],
    ]);
    expect(stored.recommended).toBe(3);
    expect(stored.disagreements).toEqual([]);
    // Gemini speaks its own API; opencode and Copilot (with its Anthropic provider) the Messages API.
    expect(new Set(world.server.reviewPrompts.map((p) => p.dialect))).toEqual(
      new Set(['gemini', 'anthropic']),
    );
    for (const { prompt } of world.server.reviewPrompts) {
      for (const n of [1, 2, 3]) expect(prompt).toContain(`answer-of-candidate-${n}`);
      expect(prompt).not.toMatch(/\b(claude|codex|gemini)\b/i);
    }
  });
});
