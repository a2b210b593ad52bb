import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import { type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 16: `synthesize` adds candidate N+1 to a live run (real git, real tmux on a private server, the
 * recording stand-in agent): its own worktree, branch, ports and pane, and a prompt that holds the chosen
 * candidates' diffs and, when a review is stored, what it said of them.
 */
describe('git parallel synthesize', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;

  beforeEach(async () => {
    ({ repo, tmux, agent } = standInWorkspace({ agentEnv: { STANDIN_COMMIT: '1' } }));
    const created = await cli(['t', '-n', '3', '-p', 'Write a greeting', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await agent.waitForRecords(3);
    await waitFor(() => ([1, 2, 3].every(finished) ? true : undefined), 'the agents to finish');
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const state = (...parts: string[]) => path.join(repo.root, '.git', 'parallel', 't', ...parts);
  const manifest = () => JSON.parse(readFileSync(state('run.json'), 'utf8'));
  const worktree = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
  const finished = (n: number) => {
    const file = state('agents', `${n}.json`);
    return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).exit ? true : undefined;
  };
  const expectValid = (document: unknown) => {
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'schemas', 'synthesize.schema.json'), 'utf8'),
    );
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(document) ? [] : validate.errors).toEqual([]);
  };
  const paneNames = () => tmux.tmux('list-panes', '-s', '-t', '=app-t', '-F', '#{@gp_name}').split('\n');

  it('--from 1,2 adds candidate 4 with its own worktree, ports and pane, and a prompt holding 1 and 2’s diffs', async () => {
    const base = manifest().base.commit;
    const result = await cli(['synthesize', 't', '--from', '1,2', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ from: [1, 2], withReview: false, started: true });
    expectValid(document);

    const [record] = await waitFor(
      () => (existsSync(path.join(agent.recordDir, 'agent-4.json')) ? [agent.record(4)] : undefined),
      'candidate 4 to start',
    );
    const prompt = record!.argv.at(-1)!;
    expect(prompt).toContain('# The task\n\nWrite a greeting');
    expect(prompt).toContain('# Candidate 1 (standin)');
    expect(prompt).toContain('+++ b/agent-1.txt\n@@ -0,0 +1 @@\n+work of agent 1');
    expect(prompt).toContain('+++ b/agent-2.txt');
    expect(prompt).not.toContain('agent-3.txt');
    expect(prompt).toContain('No review was stored for this run');
    expect(record!.cwd).toBe(worktree(4));
    expect(readFileSync(state('prompt-4.md'), 'utf8')).toBe(prompt);

    const candidates = manifest().candidates;
    expect(candidates.map((c: { n: number }) => c.n)).toEqual([1, 2, 3, 4]);
    const fourth = candidates[3];
    expect(fourth).toMatchObject({ name: 't-4', branch: 't-4', worktree: worktree(4), synthesisOf: [1, 2] });
    expect(new Set(candidates.map((c: { slot: number }) => c.slot)).size).toBe(4);
    expect(record!.env.PORT).toBe(String(fourth.ports.PORT));
    // From the run's base, not from where the main worktree is now.
    expect(repo.git('merge-base', 't-4', 'main')).toBe(base);
    expect(paneNames()).toHaveLength(4);
    expect(paneNames()).toContain(`t-4 · standin · :${fourth.ports.PORT}`);

    // compare, status and rm treat it like any other candidate.
    await waitFor(() => finished(4), 'candidate 4 to finish');
    const compared = JSON.parse((await cli(['compare', 't', '--no-check', '--json'])).stdout);
    expect(compared.candidates.map((c: { n: number }) => c.n)).toEqual([1, 2, 3, 4]);
    const status = JSON.parse((await cli(['status', 't', '--json'])).stdout);
    expect(status.runs[0].candidates).toHaveLength(4);
    const removed = await cli(['rm', 't', '--archive']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(worktree(4))).toBe(false);
    expect(repo.git('branch', '--list', 't-*')).toBe('');
  });

  it('with a stored review: its strengths and defects per chosen candidate; the default --from is every candidate', async () => {
    const review = {
      schemaVersion: 1,
      candidates: [
        { number: 1, score: 6, strengths: ['clear names'], defects: ['no test'], risks: [] },
        { number: 3, score: 8, strengths: ['handles empty input'], defects: [], risks: ['slow'] },
      ],
      ranking: [3, 1, 2],
      recommended: 3,
      reasons: 'Candidate 3 is the most complete.',
    };
    writeFileSync(state('review.json'), JSON.stringify(review));
    const result = await cli(['synthesize', 't']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Added t-4 (standin), combining t-1, t-2, t-3 with the stored review.');
    const prompt = readFileSync(state('prompt-4.md'), 'utf8');
    expect(prompt).toContain('The review recommended candidate 3. Candidate 3 is the most complete.');
    expect(prompt).toContain(
      '# Candidate 1 (standin)\n\nReview score: 6.\nStrengths worth keeping:\n- clear names\nDefects:\n- no test\nRisks:\n- (none named)',
    );
    expect(prompt).toContain('# Candidate 2 (standin)\n\nThe review said nothing about this candidate.');
    expect(prompt).toContain('- handles empty input');
    for (const n of [1, 2, 3]) expect(prompt).toContain(`+++ b/agent-${n}.txt`);
    expect(manifest().candidates[3].synthesisOf).toEqual([1, 2, 3]);

    // pick takes it like any other candidate: merged into main, every candidate archived, the run removed.
    await waitFor(() => finished(4), 'candidate 4 to finish');
    const picked = await cli(['pick', 't', '4']);
    expect(picked.code, picked.stderr).toBe(0);
    expect(repo.git('show', 'main:agent-4.txt')).toBe('work of agent 4');
    expect(repo.git('for-each-ref', '--format=%(refname)', 'refs/git-parallel/t/').split('\n')).toHaveLength(
      4,
    );
  });

  it('a failure half way (the checkout’s hook fails) removes the new candidate again and keeps the run', async () => {
    const hook = path.join(repo.root, '.git', 'hooks', 'post-checkout');
    writeFileSync(hook, '#!/bin/sh\necho "hook refuses" >&2\nexit 1\n', { mode: 0o755 });
    const result = await cli(['synthesize', 't', '--from', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Adding t-4 failed; removing it again');
    expect(manifest().candidates).toHaveLength(3);
    expect(repo.git('branch', '--list', 't-4')).toBe('');
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(4);
    expect(existsSync(worktree(4))).toBe(false);
    expect(existsSync(state('prompt-4.md'))).toBe(false);
    expect(paneNames()).toHaveLength(3);
  });

  it('bad input: one line, exit 2, nothing created; --dry-run shows the prompt and creates nothing', async () => {
    const before = { branches: repo.git('branch', '--list'), worktrees: repo.git('worktree', 'list') };
    const dry = await cli(['synthesize', 't', '--from', '3', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expectValid(plan);
    expect(plan).toMatchObject({
      dryRun: true,
      from: [3],
      withReview: false,
      candidate: { n: 4, branch: 't-4' },
    });
    expect(plan.prompt).toContain('+++ b/agent-3.txt');
    const cases: [string[], RegExp][] = [
      [['synthesize', 'nope'], /no run named "nope"; see git parallel list/],
      [['synthesize', 't', '--from', '1,9'], /the run t has no candidate 9 \(it has 1, 2, 3\)/],
      [['synthesize', 't', '--from', 'one'], /--from takes candidate numbers separated by commas/],
      [['synthesize', 't', '--agent', 'nobody'], /unknown agent "nobody"/],
      [['synthesize'], /Not enough non-option arguments/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(repo.git('branch', '--list')).toBe(before.branches);
    expect(repo.git('worktree', 'list')).toBe(before.worktrees);
    expect(manifest().candidates).toHaveLength(3);
    expect(paneNames()).toHaveLength(3);
    expect(existsSync(state('prompt-4.md'))).toBe(false);
  });
});
