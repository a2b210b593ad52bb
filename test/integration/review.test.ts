import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn } from '../helpers/stand-in-agent.js';
import { makeStandInReviewer, type StandInReviewer } from '../helpers/stand-in-reviewer.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', `${name}.schema.json`), 'utf8'));
function expectValid(name: string, document: unknown): void {
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema(name));
  expect(validate(document) ? [] : validate.errors).toEqual([]);
}

/**
 * `git parallel review`'s command surface, with stand-in reviewers (test/helpers/stand-in-reviewer.ts) on a
 * real run of three candidates (`--mux none`; the test writes their work): the verdict stored and shown,
 * retries, failures, the budget, the running record, and bad input refused in one line with exit 2.
 * The real agent CLIs as reviewers are in test/real-agents/review.test.ts.
 */
// Each test runs the CLI a dozen times; on a loaded machine that takes longer than the default 30 s.
describe('git parallel review', { timeout: 120_000 }, () => {
  let repo: TestRepo;
  let judges: Record<string, StandInReviewer>;
  const state = () => path.join(repo.root, '.git', 'parallel', 't');
  const worktree = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
  const cli = (args: string[]) =>
    runCli(args, { cwd: repo.root, env: { XDG_CONFIG_HOME: path.join(repo.parent, 'xdg') } });

  beforeEach(async () => {
    repo = makeRepo('app');
    repo.write('src/app.js', 'export const answer = 1;\n');
    const writer = makeStandIn(repo.parent);
    judges = Object.fromEntries(
      ['judge', 'judge2', 'sloppy', 'sloppy-once', 'broken', 'by-argument'].map((name) => [
        name,
        makeStandInReviewer(repo.parent, name),
      ]),
    );
    const config = {
      agent: 'writer',
      agents: {
        writer: writer.definition,
        judge: judges.judge!.define({ JUDGE_PREFER: 'answer = 42' }),
        judge2: judges.judge2!.define({
          JUDGE_REVERSE: '1',
          JUDGE_REASONS: 'candidate C <img src=x onerror=alert(1)>',
        }),
        sloppy: judges.sloppy!.define({ JUDGE_MODE: 'malformed' }),
        'sloppy-once': judges['sloppy-once']!.define({ JUDGE_MODE: 'malformed-once' }),
        broken: judges.broken!.define({ JUDGE_MODE: 'fail' }),
        'by-argument': judges['by-argument']!.define({}, { args: [], prompt: { flag: '--prompt' } }),
      },
    };
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
    repo.commit('app');
    const created = await cli(['t', '-n', '3', '--mux', 'none', '--trust', '--prompt=Make the answer 42']);
    expect(created.code, created.stderr).toBe(0);
    for (const n of [1, 2, 3]) {
      writeFileSync(
        path.join(worktree(n), 'src', 'app.js'),
        `export const answer = ${40 + n}; // by t-${n}\n`,
      );
    }
    execFileSync('git', ['commit', '-qam', 'work'], { cwd: worktree(3) });
  });
  afterEach(() => repo.cleanup());

  it('stores a verdict of two reviewers, un-blinded, which review --json and compare --json show', async () => {
    const reviewed = await cli([
      'review',
      't',
      '--agent',
      'judge',
      '--agent',
      'judge2',
      '--criteria',
      'prefer short code',
      '--json',
    ]);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const verdict = JSON.parse(reviewed.stdout);
    expectValid('review', verdict);
    expect(JSON.parse(readFileSync(path.join(state(), 'review.json'), 'utf8'))).toEqual(verdict);
    // judge prefers candidate 2 (answer = 42); judge2 ranks by letter, backwards.
    expect(verdict.reviewers[0].recommended).toBe(2);
    expect(verdict.criteria).toBe('prefer short code');
    expect(verdict.reviewers.map((r: { agent: string }) => r.agent)).toEqual(['judge', 'judge2']);
    expect(Object.keys(verdict.letters).sort()).toEqual(['A', 'B', 'C']);
    expect(Object.values(verdict.letters).sort()).toEqual([1, 2, 3]);

    for (const prompts of [judges.judge!.prompts(), judges.judge2!.prompts()]) {
      expect(prompts).toHaveLength(1);
      const prompt = prompts[0]!;
      expect(prompt).toContain('Make the answer 42');
      expect(prompt).toContain('prefer short code');
      for (const n of [1, 2, 3])
        expect(prompt).toContain(`+export const answer = ${40 + n}; // by <candidate>`);
      expect(prompt).not.toMatch(/\bt-[123]\b|app-worktrees|writer/);
      expect(prompt).toContain('No check result is recorded');
    }
    // Each reviewer ran in a scratch folder of its own outside the repository, removed afterwards.
    const cwds = ['judge', 'judge2'].map((name) =>
      readFileSync(path.join(repo.parent, `${name}-prompts`, 'cwd-1'), 'utf8'),
    );
    expect(new Set(cwds).size).toBe(2);
    for (const cwd of cwds) {
      expect(cwd.startsWith(repo.parent)).toBe(false);
      expect(existsSync(cwd)).toBe(false);
    }

    const compared = await cli(['compare', 't', '--no-check', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout);
    expectValid('compare', report);
    expect(report.review).toMatchObject({
      recommended: verdict.recommended,
      ranking: verdict.ranking,
      current: true,
    });
    const text = await cli(['compare', 't', '--no-check']);
    expect(text.stdout).toContain(`recommended: ${verdict.recommended}`);
    expect(text.stdout).toMatch(/REVIEW/);

    const html = path.join(repo.parent, 'report.html');
    expect((await cli(['compare', 't', '--no-check', '--html', html])).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<a href="#review">Review</a>');
    expect(page).toContain(`<strong>recommended: ${verdict.recommended}</strong>`);
    expect(page).toContain(`judge2: candidate ${verdict.letters.C} &lt;img src=x onerror=alert(1)&gt;`);
    expect(page).not.toContain('<img src=x');
    for (const n of [1, 2, 3]) expect(page).toContain(`<tr data-review-candidate="${n}">`);

    // A candidate changes: the verdict is of older work, and compare says so.
    writeFileSync(path.join(worktree(1), 'more.txt'), 'more\n');
    const stale = JSON.parse((await cli(['compare', 't', '--no-check', '--json'])).stdout);
    expect(stale.review.current).toBe(false);
  });

  it("--dry-run prints the reviewers' command lines and the blind prompt, and runs and stores nothing", async () => {
    const before = readdirSync(state()).sort();
    const dry = await cli(['review', 't', '--agent', 'judge', '--agent', 'judge2', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expectValid('review', plan);
    expect(plan.reviewers).toEqual([
      { agent: 'judge', argv: [path.join(repo.parent, 'judge.cjs')], promptOn: 'stdin' },
      { agent: 'judge2', argv: [path.join(repo.parent, 'judge2.cjs')], promptOn: 'stdin' },
    ]);
    for (const n of [1, 2, 3]) expect(plan.prompt).toContain(`+export const answer = ${40 + n};`);
    expect(readdirSync(state()).sort()).toEqual(before);
    expect(judges.judge!.prompts()).toEqual([]);
    const text = await cli(['review', 't', '--agent', 'judge', '--dry-run']);
    expect(text.stderr).toContain(
      `Would ask judge: ${path.join(repo.parent, 'judge.cjs')} (prompt on stdin)`,
    );
    expect(text.stdout.startsWith('GIT-PARALLEL-REVIEW v1\n')).toBe(true);
  });

  it('shows the check results with their logs to the reviewer', async () => {
    const checked = await cli([
      'compare',
      't',
      '--check',
      'echo "log line of $GIT_PARALLEL_BRANCH"; grep -q 42 src/app.js',
    ]);
    expect(checked.code, checked.stderr).toBe(0);
    expect((await cli(['review', 't', '--agent', 'judge'])).code).toBe(0);
    const prompt = judges.judge!.prompts()[0]!;
    expect(prompt.match(/: passed · /g)).toHaveLength(1);
    expect(prompt.match(/: failed exit 1 · /g)).toHaveLength(2);
    expect(prompt.match(/log line of <candidate>/g)).toHaveLength(3);
  });

  it('asks a malformed answer again once; twice malformed or a failed reviewer is one line, exit 1, and nothing stored', async () => {
    const once = await cli(['review', 't', '--agent', 'sloppy-once', '--json']);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout).reviewers[0].attempts).toBe(2);
    const [, retry] = judges['sloppy-once']!.prompts();
    expect(retry).toMatch(/## Your previous answer was not valid\n\n.*\/ranking must be array/);
    const stored = readFileSync(path.join(state(), 'review.json'), 'utf8');

    for (const [agent, message] of [
      [
        'sloppy',
        /^git parallel: sloppy's answer was not a valid verdict, twice \(.*\/ranking must be array\); no verdict was stored/,
      ],
      [
        'broken',
        /^git parallel: the reviewer broken \(.*broken\.cjs\) exited with code 3: judge: the model is unavailable; no verdict was stored/,
      ],
    ] as const) {
      const failed = await cli(['review', 't', '--agent', 'judge', '--agent', agent]);
      expect(failed.code).toBe(1);
      expect(
        failed.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('git parallel:')),
      ).toEqual([expect.stringMatching(message)]);
      expect(readFileSync(path.join(state(), 'review.json'), 'utf8')).toBe(stored);
      expect(existsSync(path.join(state(), 'review-running.json'))).toBe(false);
    }
    expect(judges.sloppy!.prompts()).toHaveLength(2);
  });

  it('cuts large diffs fairly within the budget and says how much the reviewers did not see', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `line ${i} of a generated file`).join('\n');
    writeFileSync(path.join(worktree(1), 'generated.txt'), `${big}\n`);
    const reviewed = await cli(['review', 't', '--agent', 'judge', '--budget', '12000']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const prompt = judges.judge!.prompts()[0]!;
    expect(prompt.length).toBeLessThanOrEqual(12_000);
    // Every candidate's own one-line change is shown: the generated file is what gets cut.
    for (const n of [1, 2, 3]) expect(prompt).toContain(`+export const answer = ${40 + n};`);
    const verdict = JSON.parse(readFileSync(path.join(state(), 'review.json'), 'utf8'));
    const first = verdict.unseen.candidates.find((c: { number: number }) => c.number === 1);
    expect(first.shownChars).toBeLessThan(first.totalChars);
    expect(first.cutFiles).toEqual(['generated.txt']);
    expect(first.omittedFiles).toEqual([]);
    expect(reviewed.stdout).toMatch(
      /not seen by the reviewers: candidate 1: \d+ of \d+ characters \(generated\.txt cut\)/,
    );
  });

  it('keeps a prompt passed as an argument under the kernel limit of 128 KiB, in bytes', async () => {
    // Three bytes a character: 60,000 characters would pass a character budget and fail as an argument.
    writeFileSync(path.join(worktree(2), 'wide.txt'), `${'€'.repeat(100)}\n`.repeat(600));
    const reviewed = await cli(['review', 't', '--agent', 'by-argument', '--json']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const prompt = judges['by-argument']!.prompts()[0]!;
    expect(Buffer.byteLength(prompt)).toBeLessThan(128 * 1024);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(64 * 1024);
    const second = JSON.parse(reviewed.stdout).unseen.candidates.find(
      (c: { number: number }) => c.number === 2,
    );
    expect(second.cutFiles).toEqual(['wide.txt']);
  });

  it('status shows a running review; a record left by a process that died shows nothing and blocks nothing', async () => {
    const running = path.join(state(), 'review-running.json');
    writeFileSync(
      running,
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), agents: ['judge'] }),
    );
    const status = await cli(['status', 't', '--json']);
    expectValid('status', JSON.parse(status.stdout));
    expect(JSON.parse(status.stdout).runs[0].review).toMatchObject({ pid: process.pid, agents: ['judge'] });
    expect((await cli(['status', 't'])).stdout).toMatch(/review running: judge for/);
    const blocked = await cli(['review', 't', '--agent', 'judge']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/^git parallel: a review of t is already running \(pid \d+/);

    writeFileSync(
      running,
      JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: new Date().toISOString(), agents: ['judge'] }),
    );
    expect(JSON.parse((await cli(['status', 't', '--json'])).stdout).runs[0].review).toBeNull();
    expect((await cli(['status'])).stdout).not.toContain('review running');
    const reviewed = await cli(['review', 't', '--agent', 'judge']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(existsSync(running)).toBe(false);
  });

  it('without --agent, the first installed agent with a one-shot mode that wrote no candidate reviews', async () => {
    // A config agent named like a preset replaces it: here "codex" is the stand-in judge, "claude" wrote t-1.
    const config = JSON.parse(readFileSync(path.join(repo.root, '.git-parallelrc.json'), 'utf8'));
    const claudeJudge = makeStandInReviewer(repo.parent, 'claude-judge');
    const codexJudge = makeStandInReviewer(repo.parent, 'codex-judge');
    config.agents.claude = claudeJudge.define();
    config.agents.codex = codexJudge.define();
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
    const created = await cli([
      'u',
      '-n',
      'claude:1,writer:1',
      '--mux',
      'none',
      '--trust',
      '--prompt=Another',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const reviewed = await cli(['review', 'u', '--json']);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(JSON.parse(reviewed.stdout).reviewers.map((r: { agent: string }) => r.agent)).toEqual(['codex']);
    expect(claudeJudge.prompts()).toEqual([]);
    expect(codexJudge.prompts()).toHaveLength(1);
  });

  it.each([
    [['review', 'nope', '--agent', 'judge'], /no run named "nope"/],
    [['review', 't', '--agent', 'nobody'], /unknown reviewer "nobody"; known agents: .*judge/],
    [
      ['review', 't', '--agent', 'writer'],
      /writer has no one-shot mode to review with; .*agents\.writer\.oneShot/,
    ],
    [['review', 't', '--agent', 'judge', '--agent', 'judge'], /--agent judge is named twice/],
    [['review', 't', '--agent', 'judge', '--criteria', ' '], /--criteria needs a text/],
    [
      ['review', 't', '--agent', 'judge', '--budget', '50'],
      /--budget must be a whole number of characters, at least 10000; got 50/,
    ],
    [['review', 't', '--agent', 'judge', '--timeout', '0'], /--timeout must be a number of seconds above 0/],
    [['review', 't', '--agent', ''], /--agent needs an agent name/],
    [['review', 't', '--agent'], /Not enough arguments following: agent \(see git parallel review --help\)/],
    [['review', '../x', '--agent', 'judge'], /task/],
  ])('refuses %j with one line and exit 2, changing nothing', async (args, message) => {
    const before = readdirSync(state()).sort();
    const refused = await cli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(readdirSync(state()).sort()).toEqual(before);
    expect(judges.judge!.prompts()).toEqual([]);
  });
});
