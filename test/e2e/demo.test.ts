import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { privateTmux } from '../helpers/tmux.js';

describe('git parallel demo (the README command)', () => {
  const tmux = privateTmux();
  let demoParent: string | null = null;
  afterEach(() => {
    tmux.kill();
    if (demoParent) rmSync(demoParent, { recursive: true, force: true });
  });

  it('creates a throwaway repository whose three demo agents each commit a different real change', async () => {
    const result = await runCli(['demo', '--no-attach'], { cwd: '/', env: tmux.env });
    expect(result.stderr).toContain('Started 3 agents for greet');
    expect(result.code).toBe(0);
    const repo = result.stderr.match(/Demo repository: (.*)/)![1]!;
    demoParent = path.dirname(repo);
    expect(result.stdout).toContain('This was a demo: the agents are canned scripts, not AIs.');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

    // The agents run in the private tmux server and commit; wait for all three commits.
    await waitFor(
      () =>
        ['greet-1', 'greet-2', 'greet-3'].every((b) => git('rev-list', '--count', `main..${b}`) === '1')
          ? true
          : undefined,
      'the demo agents to commit',
      20_000,
    );
    const versions = ['greet-1', 'greet-2', 'greet-3'].map((b) => git('show', `${b}:greet.js`));
    expect(new Set(versions).size).toBe(3);
    expect(git('show', 'main:greet.js')).toContain("'Hello ' + name");
    const pane = tmux.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', '=demo-app-greet:.0');
    expect(pane).toContain('DEMO AGENT: not an AI');

    // Each candidate's change passes the demo project's own test.
    for (const n of [1, 2, 3]) {
      const worktree = path.join(demoParent, 'demo-app-worktrees', `greet-${n}`);
      execFileSync(process.execPath, ['--test'], { cwd: worktree, stdio: 'pipe' });
    }
    const manifest = JSON.parse(readFileSync(path.join(repo, '.git/parallel/greet/run.json'), 'utf8'));
    expect(manifest.candidates.map((c: { agent: string }) => c.agent)).toEqual(['demo', 'demo', 'demo']);

    // The agents committed, so rm asks for --force, as the demo says.
    expect((await runCli(['rm', 'greet'], { cwd: repo, env: tmux.env })).code).toBe(2);
    expect((await runCli(['rm', 'greet', '--force'], { cwd: repo, env: tmux.env })).code).toBe(0);
    expect(git('branch', '--list', 'greet-*')).toBe('');
  });
});
