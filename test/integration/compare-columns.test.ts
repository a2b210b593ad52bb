import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffFileAcross } from '../../src/actions/diff.js';
import { runCli } from '../helpers/cli.js';
import { fingerprintAll, gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { callAction } from '../helpers/in-process.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Candidates against each other, file by file: 1 inserts NEW after line 1 of app.js, 2 rewrites line 5
 * (uncommitted), 3 leaves app.js alone and adds other.txt.
 */
describe('candidates side by side, file by file', () => {
  let repo: TestRepo;
  let worktrees: string[];
  const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
  const write = (w: string, file: string, content: string[]) =>
    writeFileSync(path.join(w, file), `${content.join('\n')}\n`);

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('app.js', `${lines.join('\n')}\n`);
    repo.commit('base');
    worktrees = await makeCompareRun(repo, 't', 3);
    const [w1, w2, w3] = worktrees as [string, string, string];
    write(w1, 'app.js', [lines[0]!, 'NEW', ...lines.slice(1)]);
    gitIn(w1, 'commit', '--quiet', '-am', 'new');
    write(
      w2,
      'app.js',
      lines.map((l) => (l === 'line 5' ? 'FIVE' : l)),
    );
    write(w3, 'other.txt', ['other']);
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('git parallel diff <task> --file PATH: a column per candidate that changed it, aligned on the base', async () => {
    const before = fingerprintAll(repo, worktrees);
    // In-process (test/helpers/in-process.ts): the columns are the action's; the refusals below are the CLI's.
    const result = await callAction(
      (io) =>
        diffFileAcross(
          { task: 't', file: 'app.js' },
          { ...io, out: (line) => io.reporter.print(line), warn: (line) => io.reporter.info(line) },
        ),
      { cwd: repo.root, env: { COLUMNS: '60' } },
    );
    expect(result.value, result.stderr).toBe(0);
    expect(fingerprintAll(repo, worktrees)).toBe(before);
    const out = result.stdout.split('\n');
    expect(out[0]).toMatch(/^app\.js in 2 candidates, aligned on the base [0-9a-f]{10}$/);
    expect(out[1]).toBe('unchanged in: t-3');
    expect(out[2]).toMatch(/^ {6}t-1 +t-2$/);
    const row = (text: string) => out.find((l) => l.includes(text))!.replace(/ +$/, '');
    // Column width: (60 - 6) / 2 - 1 = 26.
    expect(row('NEW')).toBe(`${' '.repeat(6)}${'+NEW'.padEnd(26)} `.trimEnd());
    expect(row('   1 ')).toBe(`    1 ${' line 1'.padEnd(26)}  line 1`);
    expect(row('   5 ')).toBe(`    5 ${' line 5'.padEnd(26)} -line 5`);
    expect(row('FIVE')).toBe(`${' '.repeat(6)}${''.padEnd(26)} +FIVE`);
    expect(result.stdout).toContain('⋯ 2 unchanged lines'); // 9 and 10;
  });

  it('refuses a file no candidate changed, and --file with a candidate number', async () => {
    for (const args of [
      ['diff', 't', '--file', 'nope.txt'],
      ['diff', 't', '1', '--file', 'app.js'],
      ['diff', 't'],
    ]) {
      const result = await runCli(args, { cwd: repo.root });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('the HTML report shows each shared file with a column per candidate', async () => {
    const file = path.join(repo.parent, 'columns.html');
    const result = await runCli(['compare', 't', '--no-check', '--html', file], { cwd: repo.root });
    expect(result.code, result.stderr).toBe(0);
    const page = readFileSync(file, 'utf8');
    const section = page.slice(
      page.indexOf('<section id="side-by-side">'),
      page.indexOf('</section>', page.indexOf('<section id="side-by-side">')),
    );
    expect(section).toContain('<code>app.js</code>');
    expect(section).not.toContain('other.txt');
    expect(section).toContain('<thead><tr><th></th><th>t-1</th><th>t-2</th></tr></thead>');
    expect(section).toContain(
      '<tr><td class="ln"></td><td class="col-added">NEW</td><td class="col-empty"></td></tr>',
    );
    expect(section).toContain(
      '<tr><td class="ln">5</td><td class="col-kept">line 5</td><td class="col-removed">line 5</td></tr>',
    );
  });
});
