import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src/actions/list-runs.js';
import { runCli } from '../helpers/cli.js';
import { gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { callAction } from '../helpers/in-process.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Paths git prints that hold newlines, quotes and leading spaces: git-parallel reads git's -z forms
 * (`status --porcelain=v1 -z`, `worktree list --porcelain -z`), so such paths are counted and found.
 */
describe('paths with newlines and quotes', () => {
  let repo: TestRepo;
  let worktrees: string[];

  beforeAll(async () => {
    repo = makeRepo(`it's "q"`);
    repo.write(' lead', 'base\n');
    repo.commit('a file whose name starts with a space');
    worktrees = await makeCompareRun(repo, 't', 2);
  });
  afterAll(() => repo.cleanup());

  it('rm counts an untracked file named with a newline and a change to " lead", and refuses', async () => {
    writeFileSync(path.join(worktrees[0]!, 'notes\n"q".md'), 'mine\n');
    writeFileSync(path.join(worktrees[0]!, ' lead'), 'changed\n');
    const refused = await runCli(['rm', 't'], { cwd: repo.root });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('t-1');
    expect(refused.stderr).toContain('1 uncommitted change');
    expect(refused.stderr).toContain('1 untracked file');
    expect(gitIn(worktrees[0]!, 'status', '--porcelain')).toContain('notes\\n\\"q\\".md');
  });

  it('list and status work from a linked worktree whose folder name holds a newline', async () => {
    const odd = path.join(repo.parent, 'odd\nworktree "x"');
    gitIn(repo.root, 'worktree', 'add', '--quiet', '-b', 'odd', odd);
    const listed = await callAction(listRuns, { cwd: odd, json: true });
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout).runs.map((r: { task: string }) => r.task)).toEqual(['t']);
    const status = await runCli(['status', 't', '--json'], { cwd: odd });
    expect(status.code).toBe(0);
    const [run] = JSON.parse(status.stdout).runs as { candidates: { name: string; worktree: string }[] }[];
    expect(run!.candidates.map((c) => [c.name, c.worktree])).toEqual([
      ['t-1', worktrees[0]],
      ['t-2', worktrees[1]],
    ]);
  });
});
