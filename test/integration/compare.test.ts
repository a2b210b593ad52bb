import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn } from '../helpers/stand-in-agent.js';

/**
 * `compare` and `diff` on a real run: three candidates made by the stand-in agent through the real
 * launcher (`--mux none`, then `git parallel launch` for each, which runs the agent to its end):
 *   1 commits two files and a change to src/app.js;
 *   2 commits another change to src/app.js and a binary file, then leaves README.md modified and an
 *     untracked file;
 *   3 commits nothing: it leaves src/app.js modified and an untracked file, and exits with code 3.
 */
const APP = ['export function main() {', '  return 1;', '}', ''].join('\n');

describe('git parallel compare and diff', () => {
  let repo: TestRepo;
  let base: string;
  let worktrees: string[];
  let marks: string;
  const checkScript = () => path.join(repo.parent, 'check.cjs');
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.root, env });

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('src/app.js', APP);
    const agent = makeStandIn(repo.parent);
    const config = {
      agent: 'a1',
      ports: { PORT: 4000 },
      agents: {
        a1: agent.defineWith({
          STANDIN_WRITE: JSON.stringify({
            'src/app.js': `${APP.replace('return 1;', 'return 2;')}export const extra = true;\n`,
            'docs/guide.md': '# Guide\n\nOne.\nTwo.\n',
          }),
          STANDIN_COMMIT: '1',
        }),
        a2: agent.defineWith({
          STANDIN_WRITE: JSON.stringify({
            'src/app.js': APP.replace('return 1;', 'return 42;'),
            'logo.bin': '\u0000\u0001\u0002PNG',
          }),
          STANDIN_COMMIT: '1',
          STANDIN_MODIFY: 'README.md',
          STANDIN_UNTRACKED: '1',
        }),
        a3: agent.defineWith({ STANDIN_MODIFY: 'src/app.js', STANDIN_UNTRACKED: '1', STANDIN_EXIT: '3' }),
      },
    };
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
    writeFileSync(
      checkScript(),
      `
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.CHECK_MARKS;
const n = process.env.GIT_PARALLEL_INDEX;
const total = Number(process.env.CHECK_TOTAL);
const start = Date.now();
fs.writeFileSync(path.join(dir, 'start-' + n), String(start));
// A barrier: every check waits until all of them have started. Checks run one after another would
// never all start, so they would fail here; this proves they run at the same time.
const deadline = Date.now() + 15000;
while (fs.readdirSync(dir).filter((f) => f.startsWith('start-')).length < total) {
  if (Date.now() > deadline) { console.log('not all checks started'); process.exit(99); }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}
fs.writeFileSync(path.join(dir, 'end-' + n), JSON.stringify({ start, end: Date.now(), port: process.env.PORT, cwd: process.cwd() }));
console.log('checked candidate ' + n + ' on port ' + process.env.PORT);
process.exit(n === '3' ? 1 : 0);
`,
    );
    base = repo.commit('app and config');
    const created = await cli([
      'feat',
      '-n',
      'a1:1,a2:1,a3:1',
      '-p',
      'improve the app',
      '--mux',
      'none',
      '--trust',
    ]);
    expect(created.stderr).not.toMatch(/error/i);
    expect(created.code).toBe(0);
    worktrees = [1, 2, 3].map((n) => path.join(repo.parent, 'app-worktrees', `feat-${n}`));
    for (const n of [1, 2, 3]) {
      const launched = await runCli(['launch', 'feat', String(n)], { cwd: worktrees[n - 1]! });
      expect(launched.code).toBe(n === 3 ? 3 : 0);
    }
    marks = path.join(repo.parent, 'marks');
  }, 60_000);
  afterAll(() => repo.cleanup());

  const resetMarks = () => {
    rmSync(marks, { recursive: true, force: true });
    mkdirSync(marks);
  };
  const checkCommand = () => `node ${checkScript()}`;
  const compareJson = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const result = await cli(['compare', 'feat', '--json', ...args], env);
    expect(result.code, result.stderr).toBe(0);
    return { ...result, report: JSON.parse(result.stdout) };
  };

  it('shows every candidate with numbers that match git, counting uncommitted and untracked work, and changes nothing', async () => {
    const before = worktrees.map(fingerprint);
    resetMarks();
    const { report, stderr } = await compareJson(['--check', checkCommand()], {
      CHECK_MARKS: marks,
      CHECK_TOTAL: '3',
    });
    const after = worktrees.map(fingerprint);
    expect(after).toEqual(before);

    expect(report.task).toBe('feat');
    expect(report.base.commit).toBe(base);
    expect(report.candidates.map((c: { name: string }) => c.name)).toEqual(['feat-1', 'feat-2', 'feat-3']);
    const [c1, c2, c3] = report.candidates;
    expect([c1.agent, c2.agent, c3.agent]).toEqual(['a1', 'a2', 'a3']);
    expect([c1.state, c2.state, c3.state]).toEqual(['done', 'done', 'failed (3)']);
    expect([c1.commits, c2.commits, c3.commits]).toEqual([1, 1, 0]);
    expect(c1.uncommitted).toEqual({ changed: 0, untracked: 0 });
    expect(c2.uncommitted).toEqual({ changed: 1, untracked: 1 });
    expect(c3.uncommitted).toEqual({ changed: 1, untracked: 1 });

    for (const [i, candidate] of report.candidates.entries()) {
      const counted: Numstat[] = candidate.files.map(({ path, added, deleted, binary }: Numstat) => ({
        path,
        added,
        deleted,
        binary,
      }));
      // The snapshot tree against the base, as git itself counts it…
      const numstat = parseNumstat(repo.git('diff', '--numstat', base, candidate.tree));
      expect(counted, candidate.name).toEqual(numstat);
      // …and the worktree itself, counted independently: tracked files against the base, plus every
      // untracked file's lines.
      expect(counted, candidate.name).toEqual(worktreeChanges(worktrees[i]!, base));
      expect(candidate.filesChanged).toBe(numstat.length);
      expect(candidate.added).toBe(numstat.reduce((sum, f) => sum + f.added, 0));
      expect(candidate.deleted).toBe(numstat.reduce((sum, f) => sum + f.deleted, 0));
    }
    expect(c2.files.find((f: { path: string }) => f.path === 'logo.bin')).toMatchObject({
      path: 'logo.bin',
      status: 'A',
      added: 0,
      deleted: 0,
      binary: true,
      oldSize: null,
      newSize: 6,
    });
    expect(c2.binaryFiles).toBe(1);
    expect(c3.files.map((f: { path: string }) => f.path)).toEqual(['scratch-3.txt', 'src/app.js']);

    // Overlap: src/app.js is everyone's; the rest belongs to one candidate each.
    expect(report.overlap.touchedByAll).toEqual(['src/app.js']);
    expect(report.overlap.touchedByOne).toEqual([
      { n: 1, files: ['agent-1.txt', 'docs/guide.md'] },
      { n: 2, files: ['README.md', 'agent-2.txt', 'logo.bin', 'scratch-2.txt'] },
      { n: 3, files: ['scratch-3.txt'] },
    ]);
    const pair12 = report.overlap.pairs.find((p: { a: number; b: number }) => p.a === 1 && p.b === 2);
    expect(pair12.sharedFiles).toBe(1);
    // Files: 1 shared of 7 in all. Changes (lines at their base position, plus each file's index line and
    // new-file mode): c1 has 13 (src/app.js index -1 +2; agent-1.txt mode index +1; docs/guide.md mode
    // index +4), c2 has 14 (src/app.js index -1 +1; agent-2.txt and scratch-2.txt mode index +1 each;
    // README.md index +1; logo.bin mode index "Binary files"); both removed the same line of src/app.js
    // and nothing else is the same (the index lines name different blobs), so 1 shared of 26.
    expect(pair12.fileSimilarity).toBeCloseTo(1 / 7);
    expect(pair12.lineSimilarity).toBeCloseTo(1 / 26);

    // Checks ran in every worktree at the same time, each with its own environment, logged and recorded.
    const runs = [1, 2, 3].map((n) => JSON.parse(readFileSync(path.join(marks, `end-${n}`), 'utf8')));
    // Every interval [start, end] contains the latest start: they all overlap (equal at millisecond resolution
    // when the last one to start passes the barrier at once).
    expect(Math.max(...runs.map((r) => r.start))).toBeLessThanOrEqual(Math.min(...runs.map((r) => r.end)));
    expect(runs.map((r) => r.cwd)).toEqual(worktrees);
    const manifest = JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/feat/run.json'), 'utf8'));
    expect(runs.map((r) => r.port)).toEqual(
      manifest.candidates.map((c: { ports: { PORT: number } }) => String(c.ports.PORT)),
    );
    expect([c1.check.passed, c2.check.passed, c3.check.passed]).toEqual([true, true, false]);
    expect(c3.check.exitCode).toBe(1);
    for (const c of report.candidates) {
      expect(c.check.ranNow).toBe(true);
      expect(c.check.current).toBe(true);
      expect(c.check.durationMs).toBeGreaterThanOrEqual(0);
      expect(c.check.logFile).toBe(path.join(repo.root, '.git/parallel/feat/checks', `${c.n}.log`));
      expect(readFileSync(c.check.logFile, 'utf8')).toContain(
        `checked candidate ${c.n} on port ${runs[c.n - 1].port}`,
      );
    }
    const recorded = JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/feat/checks.json'), 'utf8'));
    expect(recorded.command).toBe(checkCommand());
    expect(Object.keys(recorded.results)).toEqual(['1', '2', '3']);
    expect(stderr).toContain('Running node');

    // The ranking follows its printed rule: passing checks first, then the smaller change; the failed check last.
    const size = (c: { added: number; deleted: number }) => c.added + c.deleted;
    const passing = [c1, c2].sort((a, b) => size(a) - size(b) || a.n - b.n).map((c) => c.n);
    expect(report.ranking.order).toEqual([...passing, 3]);
    expect(report.ranking.text).toMatch(
      /^Ranked by: 1\) candidates without a warning before those with one; 2\) candidates that changed something/,
    );
    expect(report.candidates.map((c: { rank: number }) => c.rank)).toEqual(
      [1, 2, 3].map((n) => report.ranking.order.indexOf(n) + 1),
    );
  });

  it('shows recorded check results again without running them; a new command, changed content or --rerun runs them', async () => {
    resetMarks();
    const again = await compareJson(['--check', checkCommand()], { CHECK_MARKS: marks, CHECK_TOTAL: '3' });
    expect(readdirSync(marks)).toEqual([]);
    expect(
      again.report.candidates.map((c: { check: { ranNow: boolean; passed: boolean } }) => [
        c.check.ranNow,
        c.check.passed,
      ]),
    ).toEqual([
      [false, true],
      [false, true],
      [false, false],
    ]);
    expect(again.stderr).toContain('are current; --rerun runs them again');

    // Without --check, the recorded results are shown.
    const plain = await compareJson();
    expect(
      plain.report.candidates.every((c: { check: { passed: boolean } | null }) => c.check !== null),
    ).toBe(true);
    expect(readdirSync(marks)).toEqual([]);

    const rerun = await compareJson(['--check', checkCommand(), '--rerun'], {
      CHECK_MARKS: marks,
      CHECK_TOTAL: '3',
    });
    expect(
      readdirSync(marks)
        .filter((f) => f.startsWith('end-'))
        .sort(),
    ).toEqual(['end-1', 'end-2', 'end-3']);
    expect(rerun.report.candidates.every((c: { check: { ranNow: boolean } }) => c.check.ranNow)).toBe(true);

    resetMarks();
    const other = await compareJson(['--check', `CHECK_FLAVOUR=2 ${checkCommand()}`], {
      CHECK_MARKS: marks,
      CHECK_TOTAL: '3',
    });
    expect(readdirSync(marks).filter((f) => f.startsWith('end-'))).toHaveLength(3);
    expect(other.report.check.command).toBe(`CHECK_FLAVOUR=2 ${checkCommand()}`);

    // Work in one worktree makes only that candidate's result out of date.
    resetMarks();
    writeFileSync(path.join(worktrees[0]!, 'later.txt'), 'more work\n');
    try {
      const stale = await compareJson();
      expect(stale.report.candidates.map((c: { check: { current: boolean } }) => c.check.current)).toEqual([
        false,
        true,
        true,
      ]);
      const refreshed = await compareJson(['--check', `CHECK_FLAVOUR=2 ${checkCommand()}`], {
        CHECK_MARKS: marks,
        CHECK_TOTAL: '1',
      });
      expect(readdirSync(marks).sort()).toEqual(['end-1', 'start-1']);
      expect(refreshed.report.candidates.map((c: { check: { ranNow: boolean } }) => c.check.ranNow)).toEqual([
        true,
        false,
        false,
      ]);
    } finally {
      rmSync(path.join(worktrees[0]!, 'later.txt'));
    }
  });

  it("kills what a check left behind: a timed-out check's children that ignore SIGTERM, a passing check's background job", async () => {
    const pids = path.join(repo.parent, 'check-pids');
    mkdirSync(pids, { recursive: true });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const pidsWritten = () =>
      [1, 2, 3].map((n) => Number(readFileSync(path.join(pids, `${n}`), 'utf8').trim()));
    // Timed out: the shell dies of SIGTERM, its child ignores SIGTERM.
    await compareJson([
      '--check',
      `(trap "" TERM; sleep 600) & echo $! > '${pids}'/$GIT_PARALLEL_INDEX; wait`,
      '--check-timeout',
      '1',
    ]);
    const timedOut = pidsWritten();
    await expect.poll(() => timedOut.filter(alive), { timeout: 10_000 }).toEqual([]);
    // Passed: the check ends at once and leaves a background job.
    const passed = await compareJson(['--check', `sleep 600 & echo $! > '${pids}'/$GIT_PARALLEL_INDEX`]);
    expect(passed.report.candidates.every((c: { check: { passed: boolean } }) => c.check.passed)).toBe(true);
    const background = pidsWritten();
    await expect.poll(() => background.filter(alive), { timeout: 10_000 }).toEqual([]);
  });

  it('stops a check at its timeout and says so', async () => {
    const result = await compareJson(['--check', 'sleep 30', '--check-timeout', '1']);
    for (const c of result.report.candidates) {
      expect(c.check).toMatchObject({ passed: false, timedOut: true, ranNow: true });
      expect(c.check.durationMs).toBeLessThan(20_000);
    }
    expect(result.stderr).toMatch(/feat-1: check timed out/);
  });

  it('prints a table, the ranking rule, the overlap and the similarity for people', async () => {
    const result = await cli(['compare', 'feat', '--no-check']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`feat: 3 candidates against main @ ${base.slice(0, 10)}`);
    expect(result.stdout).toMatch(
      /^RANK +N +CANDIDATE +AGENT +STATE +COMMITS +FILES +\+\/- +UNCOMMITTED +CHECK +LOG$/m,
    );
    expect(result.stdout).toMatch(
      /^\d +3 +feat-3 +a3 +failed \(3\) +0 +2 +\+\d+ -\d+ +1 changed, 1 untracked +timed out/m,
    );
    expect(result.stdout).toMatch(/^\d +2 +feat-2 +a2 +done +1 +5 \(1 bin\) /m);
    expect(result.stdout).toContain(
      'Ranked by: 1) candidates without a warning before those with one; 2) candidates that changed something before those that did not;',
    );
    expect(result.stdout).toContain('  touched by all 3: src/app.js');
    expect(result.stdout).toContain('  only feat-2: README.md, agent-2.txt, logo.bin, scratch-2.txt');
    expect(result.stdout).toMatch(/^ {2} +feat-1 +feat-2 +feat-3$/m);
    expect(result.stdout).toMatch(/^ {2}feat-1 +- +14% · 3% +/m);
    // The hints name the candidate number of the best, which the RANK column is not.
    const best = /^1 +(\d+) +feat-\1 /m.exec(result.stdout)?.[1];
    expect(best).toBeDefined();
    expect(result.stdout).toContain(`See a change: git parallel diff feat ${best}`);
    expect(result.stdout).toContain(`Keep one:     git parallel pick feat ${best}`);
    expect(result.stdout).toContain('Run a check:  git parallel compare feat --check "npm test"');
  });

  it('runs the check from config when no --check is given, and --no-check skips it', async () => {
    // The user's own config (trusted by definition); a repository's config works the same way once approved.
    const xdg = path.join(repo.parent, 'xdg');
    mkdirSync(path.join(xdg, 'git-parallel'), { recursive: true });
    writeFileSync(
      path.join(xdg, 'git-parallel', 'config.json'),
      JSON.stringify({ check: 'echo from-config', checkTimeout: 30 }),
    );
    const env = { XDG_CONFIG_HOME: xdg };

    const skipped = await compareJson(['--no-check'], env);
    expect(skipped.report.check).toBeNull();
    expect(skipped.report.candidates.every((c: { check: { ranNow: boolean } }) => !c.check.ranNow)).toBe(
      true,
    );

    const ran = await compareJson([], env);
    expect(ran.report.check).toEqual({ command: 'echo from-config', source: 'config', timeoutSeconds: 30 });
    for (const c of ran.report.candidates) {
      expect(c.check).toMatchObject({ command: 'echo from-config', passed: true, ranNow: true });
      expect(readFileSync(c.check.logFile, 'utf8')).toContain('from-config');
    }
  });

  it("a check from the repository's config runs only once approved", async () => {
    const config = JSON.parse(readFileSync(path.join(repo.root, '.git-parallelrc.json'), 'utf8'));
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ ...config, check: 'echo repo-check' }),
    );
    const untrusted = { GIT_PARALLEL_TRUST: '' };
    const refused = await cli(['compare', 'feat', '--json'], untrusted);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /defines commands you have not approved \(.*check.*\); review and approve them with git parallel trust/,
    );
    const approved = JSON.parse((await cli(['compare', 'feat', '--json', '--trust'], untrusted)).stdout);
    expect(approved.check).toMatchObject({ command: 'echo repo-check', source: 'config' });
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
  });

  it('diff shows a candidate against the base, or against another candidate, as git diff does', async () => {
    const { report } = await compareJson(['--no-check']);
    const [c1, c2] = report.candidates;

    const diff2 = await cli(['diff', 'feat', '2']);
    expect(diff2.code).toBe(0);
    expect(diff2.stdout).toBe(gitOut(repo.root, 'diff', base, c2.tree));
    expect(diff2.stdout).toContain('+changed by agent 2');
    expect(diff2.stdout).toContain('scratch-2.txt');

    const between = await cli(['diff', 'feat', '1', '2']);
    expect(between.stdout).toBe(gitOut(repo.root, 'diff', c1.tree, c2.tree));
    expect(between.stdout).toContain('-  return 2;');
    expect(between.stdout).toContain('+  return 42;');

    const stat = await cli(['diff', 'feat', '2', '--', '--stat']);
    expect(stat.stdout).toBe(gitOut(repo.root, 'diff', '--stat', base, c2.tree));
    const onePath = await cli(['diff', 'feat', '2', '--', 'README.md']);
    expect(onePath.stdout).toBe(gitOut(repo.root, 'diff', base, c2.tree, '--', 'README.md'));
    expect(onePath.stdout).not.toContain('src/app.js');
    // An option's value in its own word is the option's, not a path: as `git diff A B -S … --stat`.
    const pickaxe = await cli(['diff', 'feat', '2', '--', '-S', 'return 42', '--stat']);
    expect(pickaxe.stdout).toBe(gitOut(repo.root, 'diff', base, c2.tree, '-S', 'return 42', '--stat'));
    expect(pickaxe.stdout).toContain('src/app.js');
    // A path that is only in the candidate goes after git's own `--`.
    const newFile = await cli(['diff', 'feat', '2', '--', '--stat', '--', 'scratch-2.txt']);
    expect(newFile.stdout).toContain('scratch-2.txt');
    expect(newFile.stdout).not.toContain('src/app.js');

    // The user's diff settings apply.
    repo.git('config', 'diff.noprefix', 'true');
    try {
      expect((await cli(['diff', 'feat', '2'])).stdout).toContain('diff --git README.md README.md');
    } finally {
      repo.git('config', '--unset', 'diff.noprefix');
    }
  });

  it('diff pages through the user pager on a terminal', () => {
    const command = [process.execPath, BIN, 'diff', 'feat', '2'];
    // `script` gives the command a terminal, so git decides to page, as it would for a person.
    const args =
      process.platform === 'darwin'
        ? ['-q', '/dev/null', ...command]
        : ['-q', '-e', '-c', command.map(quote).join(' '), '/dev/null'];
    const result = spawnSync('script', args, {
      cwd: repo.root,
      env: { ...process.env, GIT_PAGER: 'sed -e s/^/PAGED:/', TERM: 'dumb' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PAGED:diff --git a\/README.md b\/README.md/);
  });

  it('quotes file names with control characters as git does, so they cannot reach the terminal raw', async () => {
    const hostile = path.join(worktrees[2]!, '\x1b]0;owned\x07\x1b[2Jnew\nline.txt');
    writeFileSync(hostile, 'x\n');
    try {
      const result = await cli(['compare', 'feat', '--no-check']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain('\x1b');
      expect(result.stdout).toContain('"\\033]0;owned\\a\\033[2Jnew\\nline.txt"');
    } finally {
      rmSync(hostile);
    }
  });

  it('a candidate git cannot read (a nested repository without commits) gets a warning row; the others are shown', async () => {
    const nested = path.join(worktrees[2]!, 'nested');
    mkdirSync(nested);
    execFileSync('git', ['init', '--quiet', nested]);
    writeFileSync(path.join(nested, 'n.txt'), 'n\n');
    try {
      const json = await cli(['compare', 'feat', '--no-check', '--json']);
      expect(json.code, json.stderr).toBe(0);
      const { candidates, ranking } = JSON.parse(json.stdout);
      expect(candidates.map((c: { n: number }) => c.n)).toEqual([1, 2, 3]);
      expect(candidates[2].warnings[0]).toMatch(/^git could not read its work: /);
      expect(candidates[0].warnings).toEqual([]);
      expect(ranking.order.at(-1)).toBe(3);
      const text = await cli(['compare', 'feat', '--no-check']);
      expect(text.code).toBe(0);
      expect(text.stderr).toMatch(/warning: feat-3: git could not read its work/);
      expect(text.stdout).toMatch(/^3 +3 +feat-3 +a3 +unreadable /m);
      // Its worktree is there: what it holds uncommitted is unknown, not "no worktree".
      const row = text.stdout.split('\n').find((line) => /^3 +3 +feat-3 /.test(line))!;
      expect(row).toMatch(/ unknown /);
      expect(row).not.toContain('no worktree');
      const htmlFile = path.join(repo.parent, 'unreadable.html');
      expect((await cli(['compare', 'feat', '--no-check', '--html', htmlFile])).code).toBe(0);
      const page = readFileSync(htmlFile, 'utf8');
      expect(page).toMatch(/feat-3<\/a><div class="warning">warning: git could not read/);
      expect(page).toContain('uncommitted: unknown');
      expect(page).not.toContain('no worktree');
    } finally {
      rmSync(nested, { recursive: true, force: true });
    }
  });

  it('says so when the base branch moved since the run started', async () => {
    const moved = repo.git('commit-tree', `${base}^{tree}`, '-p', base, '-m', 'moved');
    repo.git('update-ref', 'refs/heads/main', moved, base);
    try {
      const { report } = await compareJson(['--no-check']);
      expect(report.baseMoved).toEqual({ ref: 'main', commit: moved });
      const text = await cli(['compare', 'feat', '--no-check']);
      expect(text.stderr).toContain(
        `warning: the base branch main moved since the run started (it is at ${moved.slice(0, 10)})`,
      );
      const htmlFile = path.join(repo.parent, 'moved.html');
      expect((await cli(['compare', 'feat', '--no-check', '--html', htmlFile])).code).toBe(0);
      expect(readFileSync(htmlFile, 'utf8')).toContain(
        'warning: the base branch main moved since the run started',
      );
    } finally {
      repo.git('update-ref', 'refs/heads/main', base, moved);
    }
    expect((await compareJson(['--no-check'])).report.baseMoved).toBeNull();
  });

  it('refuses bad input with one line and exit code 2', async () => {
    for (const args of [
      ['compare', 'nope'],
      ['compare', 'feat', '--check', ''],
      ['compare', 'feat', '--check-timeout', '0'],
      ['compare', 'feat', '--html', path.join(repo.parent, 'no-such-folder', 'r.html')],
      ['diff', 'feat', '9'],
      ['diff', 'feat', '1', '1'],
      ['diff', 'nope', '1'],
      ['diff', '../x', '1'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await cli(['diff', 'feat', '9'])).stderr).toContain('no candidate 9 (it has 1, 2, 3)');
  });
});

interface Numstat {
  path: string;
  added: number;
  deleted: number;
  binary: boolean;
}

function parseNumstat(text: string): Numstat[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [added, deleted, file] = line.split('\t');
      const binary = added === '-';
      return {
        path: file!,
        added: binary ? 0 : Number(added),
        deleted: binary ? 0 : Number(deleted),
        binary,
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The worktree's change against the base without any snapshot: run last, as `git diff` may refresh the index. */
function worktreeChanges(worktree: string, base: string): Numstat[] {
  const tracked = parseNumstat(gitOut(worktree, '--no-optional-locks', 'diff', '--numstat', base));
  const untracked = gitOut(worktree, 'ls-files', '--others', '--exclude-standard', '-z')
    .split('\0')
    .filter(Boolean)
    .map((file) => ({
      path: file,
      added: readFileSync(path.join(worktree, file), 'utf8').split('\n').length - 1,
      deleted: 0,
      binary: false,
    }));
  return [...tracked, ...untracked].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Everything compare must leave alone in a worktree: every file's bytes, git's view of it, and its index. */
function fingerprint(worktree: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        files[path.relative(worktree, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(worktree);
  const index = path.resolve(worktree, gitOut(worktree, 'rev-parse', '--git-path', 'index').trim());
  return {
    files: JSON.stringify(files),
    status: gitOut(worktree, '--no-optional-locks', 'status', '--porcelain=v1', '--untracked-files=all'),
    index: createHash('sha256').update(readFileSync(index)).digest('hex'),
    indexMtime: String(statSync(index).mtimeMs),
    head: gitOut(worktree, 'rev-parse', 'HEAD'),
  };
}

function gitOut(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}
