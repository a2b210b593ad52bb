import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

interface CheckRow {
  n: number;
  check: { ranNow: boolean; passed: boolean; current: boolean } | null;
}

/**
 * A check's recorded result depends on the ignored files it reads (`.env` here), not only on the
 * snapshot of tracked and untracked work: changing them makes the result out of date. A check that
 * writes ignored build output (dist/) is not re-run every time for that alone.
 */
describe('compare: cached check results and ignored files', () => {
  let repo: TestRepo;
  let worktrees: string[];
  // Passes when .env says OK; writes a fresh build stamp into the ignored dist/ every time.
  const check =
    "node -e \"const fs=require('fs');fs.mkdirSync('dist',{recursive:true});fs.writeFileSync('dist/stamp',String(Date.now()));process.exit(fs.readFileSync('.env','utf8').trim()==='OK'?0:1)\"";
  const compare = async (args: string[]) => {
    const result = await runCli(['compare', 't', '--json', ...args], { cwd: repo.root });
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout).candidates as CheckRow[]).map((c) => c.check);
  };

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('.gitignore', '.env\ndist/\n');
    repo.commit('ignore');
    worktrees = await makeCompareRun(repo, 't', 2);
    for (const w of worktrees) writeFileSync(path.join(w, '.env'), 'OK\n');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('re-runs only the candidate whose .env changed, and shows its old result as stale before that', async () => {
    const first = await compare(['--check', check]);
    expect(first.map((c) => [c?.ranNow, c?.passed])).toEqual([
      [true, true],
      [true, true],
    ]);
    // Its own build output (ignored dist/stamp, rewritten by every run) does not make it run again.
    const again = await compare(['--check', check]);
    expect(again.map((c) => c?.ranNow)).toEqual([false, false]);

    writeFileSync(path.join(worktrees[0]!, '.env'), 'BAD\n');
    const shown = await compare(['--no-check']);
    expect(shown.map((c) => c?.current)).toEqual([false, true]);
    const rerun = await compare(['--check', check]);
    expect(rerun.map((c) => [c?.ranNow, c?.passed, c?.current])).toEqual([
      [true, false, true],
      [false, true, true],
    ]);
  });
});
