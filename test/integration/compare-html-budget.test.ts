import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitIn, makeCompareRun } from '../helpers/compare-fixture.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * A 10-candidate run in which every candidate rewrites a 20,000-line file: the report stays small and
 * opens in seconds in headless Chromium, says what it left out, collapses large files, and has a view
 * that ignores whitespace.
 */
describe('compare --html: a size budget, large files, whitespace', () => {
  let repo: TestRepo;
  let context: BrowserContext;
  let profile: string;
  const reportFile = () => path.join(repo.parent, 'big.html');

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('app.js', 'function main() {\n  return 1;\n}\n');
    repo.write('big.txt', `${Array.from({ length: 20_000 }, (_, i) => `base line ${i}`).join('\n')}\n`);
    repo.commit('base');
    const worktrees = await makeCompareRun(repo, 't', 10);
    for (const [i, w] of worktrees.entries()) {
      const n = i + 1;
      writeFileSync(
        path.join(w, 'big.txt'),
        `${Array.from({ length: 20_000 }, (_, k) => `candidate ${n} line ${k}`).join('\n')}\n`,
      );
      // 1 re-indents app.js only; 2 writes a 500-line file (shown collapsed); the rest change one line.
      if (n === 1) writeFileSync(path.join(w, 'app.js'), 'function main() {\n    return 1;\n}\n');
      else if (n === 2)
        writeFileSync(
          path.join(w, 'mid.txt'),
          `${Array.from({ length: 500 }, (_, k) => `m${k}`).join('\n')}\n`,
        );
      else writeFileSync(path.join(w, 'app.js'), `function main() {\n  return ${n};\n}\n`);
      gitIn(w, 'add', '-A');
      gitIn(w, 'commit', '--quiet', '-m', `candidate ${n}`);
    }
    profile = mkdtempSync(path.join(tmpdir(), 'gp-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    repo.cleanup();
  });

  it('stays under 3 MB, opens in seconds and says what it cut', async () => {
    const compareStarted = Date.now();
    const result = await runCli(['compare', 't', '--no-check', '--html', reportFile()], { cwd: repo.root });
    expect(result.code, result.stderr).toBe(0);
    console.log(`compare --html took ${Date.now() - compareStarted} ms`);
    const bytes = statSync(reportFile()).size;
    console.log(`10 candidates × 20,000-line file: report ${bytes} bytes`);
    expect(bytes).toBeLessThan(3_000_000);
    const html = readFileSync(reportFile(), 'utf8');
    // Each candidate's big.txt, and big.txt in the candidates-side-by-side view.
    expect(html).toContain('This report leaves out: 11 file diffs over 2,000 changed lines not shown');
    expect(html).toContain('not shown here; see <code>git parallel diff t --file big.txt</code>');
    expect(html).toContain(
      'too large to show here (40,000 changed lines); see <code>git parallel diff t 3 -- big.txt</code>',
    );

    const page = await context.newPage();
    const started = Date.now();
    await page.goto(pathToFileURL(reportFile()).href, { waitUntil: 'load' });
    const loadMs = Date.now() - started;
    console.log(`loaded in Chromium in ${loadMs} ms`);
    expect(loadMs).toBeLessThan(5_000);
    expect(await page.locator('section.candidate').count()).toBe(10);

    // The 500-line file starts collapsed; the small ones open.
    expect(
      await page.locator('#candidate-2 details.file', { hasText: 'mid.txt' }).getAttribute('open'),
    ).toBeNull();
    expect(await page.locator('#candidate-3 details.file', { hasText: 'app.js' }).getAttribute('open')).toBe(
      '',
    );

    // Ignoring whitespace: the re-indented file has nothing left; another candidate's change stays.
    await page.locator('label[for="view-ws"]').click();
    const reindented = page.locator('#candidate-1 details.file', { hasText: 'app.js' });
    expect(await reindented.locator('.view-ws').textContent()).toBe('Only whitespace changed in this file.');
    expect(await reindented.locator('.view-line').isVisible()).toBe(false);
    const changed = page.locator('#candidate-3 details.file', { hasText: 'app.js' });
    expect(await changed.locator('.view-line').isVisible()).toBe(true);
    await page.close();
  }, 120_000);
});
