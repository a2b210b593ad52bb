import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn } from '../helpers/stand-in-agent.js';

/**
 * The HTML report in a real headless browser (Debian's chromium, driven by playwright-core): it loads
 * from a file with no network, logs no console errors, shows every candidate, switches between side by
 * side and unified diffs, navigates to files, escapes what agents wrote, and leaves a screenshot in
 * test-output/ for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
// No quotes in the name: git C-quotes such paths in patch headers, and diff2html shows them as written.
const HOSTILE_FILE = '<img src=x onerror=window.__pwned=1>.txt';
const HOSTILE_CONTENT = '<script>window.__pwned = 2</script>\n';

describe('git parallel compare --html', () => {
  let repo: TestRepo;
  let browser: Browser;
  let reportFile: string;

  beforeAll(async () => {
    repo = makeRepo('app');
    repo.write('src/app.js', 'export function main() {\n  return 1;\n}\n');
    const agent = makeStandIn(repo.parent);
    const config = {
      agent: 'a1',
      agents: {
        a1: agent.defineWith({
          STANDIN_WRITE: JSON.stringify({ 'src/app.js': 'export function main() {\n  return 2;\n}\n' }),
          STANDIN_COMMIT: '1',
        }),
        a2: agent.defineWith({
          STANDIN_WRITE: JSON.stringify({
            'src/app.js': 'export const main = () => 3;\n',
            [HOSTILE_FILE]: HOSTILE_CONTENT,
          }),
          STANDIN_COMMIT: '1',
          STANDIN_UNTRACKED: '1',
        }),
        a3: agent.defineWith({ STANDIN_MODIFY: 'src/app.js', STANDIN_EXIT: '1' }),
      },
    };
    writeFileSync(path.join(repo.root, '.git-parallelrc.json'), JSON.stringify(config));
    repo.commit('app');
    expect(
      (await runCli(['feat', '-n', 'a1:1,a2:1,a3:1', '--mux', 'none', '--trust'], { cwd: repo.root })).code,
    ).toBe(0);
    for (const n of [1, 2, 3]) {
      await runCli(['launch', 'feat', String(n)], {
        cwd: path.join(repo.parent, 'app-worktrees', `feat-${n}`),
      });
    }
    reportFile = path.join(repo.parent, 'report.html');
    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install chromium)`).toBe(true);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    repo.cleanup();
  });

  it('writes one self-contained page that a browser shows without errors or network', async () => {
    const result = await runCli(
      [
        'compare',
        'feat',
        '--html',
        reportFile,
        '--check',
        'echo "checking $GIT_PARALLEL_INDEX <b>"; test "$GIT_PARALLEL_INDEX" != 3',
        '--json',
      ],
      { cwd: repo.root },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).html).toBe(reportFile);
    expect(result.stderr).toContain(`Report: ${reportFile}`);

    const html = readFileSync(reportFile, 'utf8');
    // Nothing is fetched: no external stylesheets, scripts, images or fonts.
    expect(html).not.toMatch(/<(link|script|img|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).not.toContain(HOSTILE_FILE);
    expect(html).not.toContain('<b>');

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });

    expect(await page.title()).toBe('git parallel compare · feat');
    expect(await page.locator('section.candidate').count()).toBe(3);
    expect(await page.locator('table.summary tbody tr').count()).toBe(3);
    expect(await page.locator('table.matrix tbody tr').count()).toBe(3);
    const summary = await page.locator('table.summary').textContent();
    expect(summary).toMatch(/feat-3\s+a3\s+failed \(1\)/);
    expect(summary).toMatch(/fail \(exit 1\)/);
    expect(await page.locator('#overlap').textContent()).toContain('Touched by every candidate: src/app.js');

    // Escaped, never run: the file name and the content an agent wrote are text.
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('#candidate-2').textContent()).toContain(HOSTILE_FILE);
    expect(await page.locator('#overlap').textContent()).toContain(HOSTILE_FILE);
    expect(await page.locator('#candidate-2 .diff').textContent()).toContain(
      '<script>window.__pwned = 2</script>',
    );

    // Side by side first; "unified" swaps the views without a script.
    const sideBySide = page.locator('#candidate-1 .view-side').first();
    const unified = page.locator('#candidate-1 .view-line').first();
    expect(await sideBySide.isVisible()).toBe(true);
    expect(await unified.isVisible()).toBe(false);
    await page.locator('label[for="view-line"]').click();
    expect(await sideBySide.isVisible()).toBe(false);
    expect(await unified.isVisible()).toBe(true);
    await page.locator('label[for="view-side"]').click();

    // File navigation: each candidate's file list links to that candidate's own diff of the file.
    const link = page.locator('#candidate-2 table.files a', { hasText: 'src/app.js' });
    const target = (await link.getAttribute('href'))!;
    expect(target).toMatch(/^#c2-f\d+$/);
    expect(await page.locator(`#candidate-2 ${target} .d2h-file-name`).first().textContent()).toBe(
      'src/app.js',
    );
    await link.click();
    expect(new URL(page.url()).hash).toBe(target);

    // The check log is inline (escaped) and linked.
    const check = page.locator('#candidate-3 details.check');
    await check.locator('summary').click();
    expect(await check.locator('pre').textContent()).toContain('checking 3 <b>');
    expect(await check.locator('a').getAttribute('href')).toBe(
      pathToFileURL(path.join(repo.root, '.git/parallel/feat/checks/3.log')).href,
    );

    const screenshot = path.join(REPO_ROOT, 'test-output', 'compare-report.png');
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`compare report screenshot: ${screenshot}`);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a bounded tail of a check's log, whatever one line of it holds", async () => {
    const big = path.join(repo.parent, 'big-report.html');
    const result = await runCli(
      ['compare', 'feat', '--html', big, '--check', 'node -e "process.stdout.write(\'x\'.repeat(5e6))"'],
      { cwd: repo.root },
    );
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(big, 'utf8');
    expect(html.length).toBeLessThan(1_000_000);
    expect(html).toContain('bytes of the log are cut');
  });

  it('names files as they are, not as git quotes them in patch headers', async () => {
    const worktree = path.join(repo.parent, 'app-worktrees', 'feat-1');
    // (A backslash is not among them: diff2html's own display turns `\\` into `/` in every name.)
    const names = ['ünïcødé-文件.txt', 'tab\there.txt', 'quote"d.txt'];
    for (const name of names) writeFileSync(path.join(worktree, name), 'odd\n');
    try {
      const file = path.join(repo.parent, 'names.html');
      expect((await runCli(['compare', 'feat', '--no-check', '--html', file], { cwd: repo.root })).code).toBe(
        0,
      );
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      const shown = await page.locator('#candidate-1 .d2h-file-name').allTextContents();
      for (const name of names)
        expect(
          shown.map((t) => t.trim()),
          JSON.stringify(shown),
        ).toContain(name);
      await page.close();
    } finally {
      for (const name of names) rmSync(path.join(worktree, name));
    }
  });

  it('--open without --html writes the report into the run state and opens it with the desktop opener', async () => {
    // A stand-in opener on PATH records what it was asked to open.
    const bin = path.join(repo.parent, 'bin');
    mkdirSync(bin, { recursive: true });
    const opened = path.join(repo.parent, 'opened.txt');
    for (const name of ['xdg-open', 'open']) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    }
    const result = await runCli(['compare', 'feat', '--open', '--no-check'], {
      cwd: repo.root,
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    });
    expect(result.code, result.stderr).toBe(0);
    const expected = path.join(repo.root, '.git/parallel/feat/report.html');
    expect(existsSync(expected)).toBe(true);
    await expect.poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8') : null)).toBe(expected);
  });
});
