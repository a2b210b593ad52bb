import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

interface TracedRow {
  n: number;
  commits: number | null;
  files: { path: string; binary: boolean; added: number }[];
}

/** compare's JSON rows and the git subcommands it started (`rev-parse`, `merge-base`…), with their counts. */
async function tracedCompare(repo: TestRepo, trace: string, args: string[]) {
  rmSync(trace, { force: true });
  const result = await runCli(['compare', 't', '--json', ...args], {
    cwd: repo.root,
    env: { GIT_TRACE: trace },
  });
  expect(result.code, result.stderr).toBe(0);
  const calls = new Map<string, number>();
  for (const match of readFileSync(trace, 'utf8').matchAll(/trace: built-in: git (.*)$/gm)) {
    // The subcommand: the first word that is not an option or an option's value (`-c name=value`).
    const words = match[1]!.split(' ');
    let i = 0;
    while (words[i]?.startsWith('-')) i += words[i] === '-c' || words[i] === "'-c'" ? 2 : 1;
    const name = words[i]!.replace(/'/g, '');
    calls.set(name, (calls.get(name) ?? 0) + 1);
  }
  const rows = (JSON.parse(result.stdout) as { candidates: TracedRow[] }).candidates;
  return { commits: rows.map((c) => c.commits), rows, calls };
}

/**
 * Issue 18, cost per candidate: compare reads each candidate with as few git processes as give the same
 * numbers. Every git it starts is traced (GIT_TRACE), and the commands that used to run once per candidate
 * are counted: the merge base comes from the worktree's own rev-parse, the commits of every candidate from
 * one rev-list, the diffs of every candidate from two diff-tree --stdin, and a worktree's ignored files are
 * listed only when a check result needs them.
 *   1 has two commits, 2 one, 3 only uncommitted work.
 */
describe('compare: git processes per candidate', () => {
  let repo: TestRepo;
  let trace: string;

  const traced = async (args: string[]) => tracedCompare(repo, trace, args);

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('a.txt', 'a\n');
    repo.commit('base');
    trace = path.join(repo.parent, 'git-trace.txt');
    const [w1, w2, w3] = (await makeCompareRun(repo, 't', 3)) as [string, string, string];
    for (const [w, commits] of [
      [w1, 2],
      [w2, 1],
    ] as const) {
      for (let i = 0; i < commits; i++) {
        writeFileSync(path.join(w, `f${i}.txt`), `${i}\n`);
        gitIn(w, 'add', '-A');
        gitIn(w, 'commit', '--quiet', '-m', `c${i}`);
      }
    }
    writeFileSync(path.join(w3, 'a.txt'), 'changed\n');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('counts commits with one rev-list, no merge-base, and no ignored-file listing without a check', async () => {
    const { commits, calls } = await traced(['--no-check']);
    expect(commits).toEqual([2, 1, 0]);
    expect(calls.get('rev-list')).toBe(1);
    expect(calls.get('merge-base')).toBeUndefined();
    expect(calls.get('ls-files')).toBeUndefined();
    expect(calls.get('diff-tree')).toBe(2);
    // One rev-parse per candidate (its HEAD, branch, merge base…), plus the repository probe, the base
    // branch and the base's tree (diff-tree --stdin takes trees).
    expect(calls.get('rev-parse')).toBe(3 + 3);
  });

  it('after the base branch moved, still no merge-base (the rev-parse asks for both bases)', async () => {
    repo.write('b.txt', 'b\n');
    repo.commit('base moves on');
    try {
      const { commits, calls } = await traced(['--no-check']);
      expect(commits).toEqual([2, 1, 0]);
      expect(calls.get('merge-base')).toBeUndefined();
      expect(calls.get('rev-list')).toBe(1);
    } finally {
      repo.git('reset', '--quiet', '--hard', 'HEAD~1');
    }
  });

  it('lists a worktree’s ignored files when a check runs, or when a recorded result is shown', async () => {
    const checked = await traced(['--check', 'true']);
    expect(checked.calls.get('ls-files')).toBeGreaterThanOrEqual(3);
    const shown = await traced(['--no-check']);
    expect(shown.calls.get('ls-files')).toBe(3);
  });
});

/**
 * git reads the attributes that shape a diff from the worktree it runs in: diffs read together in one
 * worktree must not take one candidate's .gitattributes for another's. 1 and 3 mark *.txt binary, 2 does not.
 */
describe("compare: diffs read together keep each worktree's .gitattributes", () => {
  let repo: TestRepo;
  let trace: string;

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('x.txt', 'one\n');
    repo.commit('base');
    trace = path.join(repo.parent, 'git-trace.txt');
    const worktrees = await makeCompareRun(repo, 't', 3);
    for (const [i, w] of worktrees.entries()) {
      writeFileSync(path.join(w, 'x.txt'), `one\ntwo ${i}\n`);
      if (i !== 1) writeFileSync(path.join(w, '.gitattributes'), '*.txt binary\n');
    }
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('shows x.txt as binary exactly where the worktree says so', async () => {
    const { rows } = await tracedCompare(repo, trace, ['--no-check']);
    expect(rows.map((r) => r.files.find((f) => f.path === 'x.txt')?.binary)).toEqual([true, false, true]);
  });
});
