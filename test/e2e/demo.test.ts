import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { privateTmux } from '../helpers/tmux.js';

/**
 * What is in a folder, less Node's own compile cache (`node-compile-cache`, which the CLI turns on for
 * Node 22.1+ and Node keeps in the temporary folder): the demo must leave nothing else behind.
 */
const ownEntries = (dir: string) => readdirSync(dir).filter((name) => name !== 'node-compile-cache');

/** The hint lines the demo ends with, as a user would copy them: each without its `# why` comment. */
function hintsOf(stdout: string): string[] {
  const after = stdout.split('Walk the rest of the flow:\n')[1];
  expect(after, 'the demo prints its closing hints').toBeDefined();
  return after!
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.replace(/\s+# .*$/, '').trim());
}

/** Runs one hint as typed, in a shell, from where the previous hints left the user. */
function runHint(line: string, cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync('/bin/sh', ['-c', line], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('git parallel demo (the README command)', () => {
  const tmux = privateTmux();
  let temp: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    // TMPDIR is where the demo lives: a private one shows exactly what the demo leaves behind.
    temp = mkdtempSync(path.join(tmpdir(), 'gp-demo-test-'));
    env = { ...process.env, ...tmux.env, TMPDIR: temp };
  });
  afterEach(() => {
    tmux.kill();
    rmSync(temp, { recursive: true, force: true });
  });

  it('runs twice in a row, walks the whole flow through hints that work as printed, and cleans up after itself', async () => {
    const first = await runCli(['demo', '--no-attach'], { cwd: '/', env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Started 3 agents for greet');
    const repo = first.stderr.match(/Demo repository: (.*)/)![1]!;
    expect(repo.startsWith(temp)).toBe(true);

    // The second demo replaces the first: no "session already exists", one demo folder, a fresh run.
    const second = await runCli(['demo', '--no-attach'], { cwd: '/', env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Removed the previous demo in');
    expect(second.stderr).toContain(`Demo repository: ${repo}`);
    expect(ownEntries(temp)).toHaveLength(1);
    expect(tmux.tmux('list-sessions', '-F', '#{session_name}')).toBe('demo-app-greet');

    const stdout = second.stdout;
    expect(stdout).toContain('This was a demo: the agents are canned scripts, not AIs.');
    expect(stdout).not.toContain('--force');
    const hints = hintsOf(stdout);
    // Started as `node …/bin/git-parallel.js` (git-parallel is not on this PATH), so that is what it prints.
    const cli = `${process.execPath} ${BIN}`;
    expect(hints).toEqual([
      `cd ${repo}`,
      `${cli} status greet --watch`,
      `${cli} compare greet --check "npm test"`,
      `${cli} compare greet --html ../report.html`,
      `${cli} diff greet 1`,
      `${cli} pick greet 1`,
      `${cli} demo --clean`,
    ]);

    // Each hint, typed as printed. `status --watch` ends by itself once the three demo agents are done.
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
    let cwd = '/';
    const outputs: string[] = [];
    for (const hint of hints) {
      if (hint.startsWith('cd ')) {
        cwd = hint.slice(3);
        continue;
      }
      const result = runHint(hint, cwd, env);
      expect(result.code, `${hint}\n${result.out}`).toBe(0);
      outputs.push(result.out);
      if (hint.endsWith('--watch')) {
        expect(result.out).toContain('all agents of greet have finished');
        const versions = ['greet-1', 'greet-2', 'greet-3'].map((b) => git('show', `${b}:greet.js`));
        expect(new Set(versions).size).toBe(3);
      }
      if (hint.includes('--check'))
        expect(result.out.match(/^\d +\d +greet-\d .* pass · /gm)).toHaveLength(3);
      if (hint.includes('--html')) {
        expect(readFileSync(path.join(path.dirname(repo), 'report.html'), 'utf8')).toContain('greet.js');
      }
      if (hint.includes(' pick ')) {
        expect(git('show', 'main:greet.js')).toContain('Hello, ${name}!');
        expect(git('branch', '--list', 'greet-*')).toBe('');
      }
    }
    expect(outputs).toHaveLength(6);
    // demo --clean took everything: the folder, the worktrees and the session.
    expect(ownEntries(temp)).toEqual([]);
    expect(tmux.tryTmux('has-session', '-t', '=demo-app-greet')).toBeNull();
  }, 180_000);

  it('prints `git parallel` when that is how it was started, and the hints work as typed that way too', async () => {
    // What a global install puts on PATH: an executable named git-parallel that is our bin.
    const bin = path.join(temp, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, path.join(bin, 'git-parallel'));
    const withPath = { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    const demoHome = path.join(temp, 'home');
    mkdirSync(demoHome);
    const result = spawnSync('git', ['parallel', 'demo', '--no-attach'], {
      cwd: '/',
      env: { ...withPath, TMPDIR: demoHome },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const hints = hintsOf(result.stdout);
    expect(hints[1]).toBe('git parallel status greet --watch');
    const repo = hints[0]!.slice(3);
    const watched = runHint(hints[1]!, repo, withPath);
    expect(watched.code, watched.out).toBe(0);
    expect(watched.out).toContain('all agents of greet have finished');
    const clean = runHint(hints.at(-1)!, repo, { ...withPath, TMPDIR: demoHome });
    expect(clean.code, clean.out).toBe(0);
    expect(ownEntries(demoHome)).toEqual([]);
  }, 120_000);

  it('demo --clean says when there is nothing to remove, and never deletes a folder it did not make', async () => {
    const none = await runCli(['demo', '--clean'], { cwd: '/', env });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No demo to remove');
    const foreign = path.join(temp, `git-parallel-demo-${process.getuid!()}`);
    mkdirSync(foreign);
    const refused = await runCli(['demo', '--clean'], { cwd: '/', env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('was not made by git parallel demo');
    expect(ownEntries(temp)).toEqual([path.basename(foreign)]);
  });
});
