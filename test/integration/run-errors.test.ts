import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preferredSlot } from '../../src/core/port-slots.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace, standInWorkspaceEach, worldOf } from '../helpers/workspace.js';

describe('bad input: one clear line, exit 2, nothing created', () => {
  const workspace = standInWorkspaceEach();
  const { cli } = workspace;

  /** The world as git-parallel could have changed it. */
  const snapshot = () => worldOf(workspace);

  async function expectRefused(
    args: string[],
    message: RegExp | string,
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    const before = snapshot();
    const result = await cli(args, options);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message,
    );
    expect(snapshot()).toEqual(before);
  }

  it.each([
    [['has space'], 'invalid task name "has space": it contains " "'],
    [['a/b'], 'it contains "/"'],
    [['..'], 'it starts with "."'],
    [['-x', '--'], 'see git parallel --help'],
    [['x.lock'], 'it ends with ".lock"'],
    [['x'.repeat(65)], 'is 65 characters long'],
    [['t', '--agents', '0'], 'counts must be at least 1'],
    [['t', '--agents', '-1'], 'counts must be at least 1'],
    [['t', '--agents', 'three!'], 'invalid --agents "three!"'],
    [['t', '--agents', '33'], 'the most is 32'],
    [['t', '--agents', 'standin:2,'], 'invalid --agents "standin:2,"'],
    [['t', '--agent', 'nosuch'], 'unknown agent "nosuch"'],
    [['t', '--agents', 'standin:1,nosuch:2'], 'unknown agent "nosuch"'],
    [['t', '--base', 'no-such-ref'], 'unknown --base "no-such-ref"'],
    [['t', '--prompt-file', '/no/such/file'], 'cannot read the prompt file /no/such/file: no such file'],
    [['t', '--prompt', 'a', '--prompt-file', 'b'], 'not both'],
    [['t', '--mux', 'screen'], 'unknown --mux "screen"'],
    [['t', '--layout', 'spiral', '--mux', 'tmux'], 'unknown layout "spiral"'],
  ] as [string[], string | RegExp][])('%j', async (args, message) => {
    await expectRefused(args, message);
  });

  it('an agent that is not on PATH, checked before anything is created', async () => {
    writeFileSync(
      path.join(workspace.repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agents: { ghost: { command: 'no-such-agent-binary' } } }),
    );
    await expectRefused(
      ['t', '--agent', 'ghost'],
      'the agent ghost needs "no-such-agent-binary", which is not on PATH',
    );
  });

  it('a branch or a worktree folder that already exists, and a task that already has a run', async () => {
    workspace.repo.git('branch', 't-2');
    await expectRefused(['t', '-n', '3'], 'the branch t-2 already exists');
    workspace.repo.git('branch', '-D', 't-2');
    mkdirSync(path.join(workspace.repo.parent, 'app-worktrees', 't-1'), { recursive: true });
    await expectRefused(
      ['t', '-n', '3'],
      `the folder ${path.join(workspace.repo.parent, 'app-worktrees', 't-1')} already exists`,
    );
    expect((await cli(['done', '-n', '1', '--no-attach'])).code).toBe(0);
    await expectRefused(['done', '-n', '1'], 'a run named done already exists');
  });

  it('not a git repository, a repository without commits, a bare repository', async () => {
    const outside = realpathSync(mkdtempSync(path.join(tmpdir(), 'gp-plain-')));
    const empty = makeRepo('empty', { commit: false });
    const bare = path.join(workspace.repo.parent, 'bare.git');
    execFileSync('git', ['init', '--quiet', '--bare', bare]);
    try {
      await expectRefused(['t'], `not a git repository: ${outside}`, { cwd: outside });
      await expectRefused(['t'], 'the repository has no commits yet', { cwd: empty.root });
      await expectRefused(['t'], 'is a bare repository', { cwd: bare });
    } finally {
      empty.cleanup();
    }
  });

  it('tmux missing', async () => {
    // A PATH with git and node but no tmux.
    const bin = path.join(workspace.repo.parent, 'no-tmux-bin');
    mkdirSync(bin);
    for (const tool of ['git', 'sh', 'env'])
      symlinkSync(
        execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        path.join(bin, tool),
      );
    await expectRefused(['t', '--mux', 'tmux'], 'tmux is not installed; install it, or use --mux none', {
      env: { PATH: bin },
    });
  });

  it('no free port in the span', async () => {
    writeFileSync(
      path.join(workspace.repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: { standin: workspace.agent.definition },
        ports: { PORT: 41000 },
        portSpan: 3,
      }),
    );
    await expectRefused(['t', '-n', '3'], 'no free port slot for t-3 in PORT 41001-41002');
  });

  it('a port bound by another process is skipped', async () => {
    writeFileSync(
      path.join(workspace.repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: { standin: workspace.agent.definition },
        ports: { PORT: 42000 },
      }),
    );
    const busy = 42000 + preferredSlot('app', 'bound-1', 1000);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(busy, resolve));
    try {
      expect((await cli(['bound', '-n', '1', '--no-attach'])).code).toBe(0);
      const ports = JSON.parse((await cli(['ports', 'bound', '--json'])).stdout).ports;
      expect(ports[0].ports.PORT).not.toBe(busy);
    } finally {
      server.close();
    }
  });

  it('a config with an unknown key or a wrong type names the file and the key', async () => {
    const file = path.join(workspace.repo.root, '.git-parallelrc.json');
    writeFileSync(file, JSON.stringify({ agnets: {}, ports: { PORT: 'x' } }));
    await expectRefused(
      ['t'],
      `${file}: agnets is not a known setting (did you mean "agents"?); ports.PORT must be a port number (1-65535), got "x"`,
    );
    writeFileSync(file, '{ not json');
    await expectRefused(['t'], `could not read config ${file}`);
  });
});

describe('failures half way leave nothing behind', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace());
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  /** A post-checkout hook runs inside every `git worktree add`: a slow or failing step on demand. */
  function hook(script: string) {
    const hooks = path.join(repo.parent, 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'post-checkout'), `#!/bin/sh\n${script}\n`);
    chmodSync(path.join(hooks, 'post-checkout'), 0o755);
    repo.git('config', 'core.hooksPath', hooks);
  }

  const untouched = () => {
    expect(repo.git('branch', '--list')).toBe('* main');
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(existsSync(path.join(repo.root, '.git/parallel/t'))).toBe(false);
    expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
  };

  it("the 3rd worktree's checkout fails (its post-checkout hook refuses): the others are removed again, exit 1", async () => {
    hook('case "$PWD" in *-3) echo "hook refuses $PWD" >&2; exit 1;; esac');
    const result = await runCli(['t', '-n', '4', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Creation failed; removing what was created');
    expect(result.stderr).toMatch(/git .*checkout --quiet --force exited with code 1 \(in .*\/t-3\)/);
    untouched();
  });

  it.each([
    'SIGINT',
    'SIGTERM',
  ] as const)('%s after the first worktree: rolled back, exit 130/143', async (signal) => {
    hook('sleep 0.4');
    const result = await runCli(['t', '-n', '6', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
      signalAfter: { signal, when: (stderr) => stderr.includes('  t-') },
    });
    expect(result.code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(result.stderr).toContain(`Interrupted (${signal}); removing what was created`);
    untouched();
  });
});

describe('runs created at the same time', () => {
  it('4 runs of distinct tasks at once all succeed with distinct ports; the same task twice at once succeeds exactly once', async () => {
    const { repo, tmux } = standInWorkspace({ config: { portSpan: 40 } });
    try {
      const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
      const distinct = await Promise.all(
        ['a', 'b', 'c', 'e'].map((task) => cli([task, '-n', '3', '--no-attach'])),
      );
      expect(distinct.map((r) => r.code)).toEqual([0, 0, 0, 0]);
      const ports = JSON.parse((await cli(['ports', '--json'])).stdout).ports.map(
        (p: { ports: { PORT: number } }) => p.ports.PORT,
      );
      expect(ports).toHaveLength(12);
      expect(new Set(ports).size).toBe(12);

      const same = await Promise.all([
        cli(['d', '-n', '2', '--no-attach']),
        cli(['d', '-n', '2', '--no-attach']),
      ]);
      expect(same.map((r) => r.code).sort()).toEqual([0, 2]);
      const loser = same.find((r) => r.code === 2)!;
      expect(loser.stderr).toMatch(
        /a run named d already exists|the branch d-1 already exists|the folder .* already exists/,
      );
      expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1 + 12 + 2);
    } finally {
      closeWorkspace({ repo, tmux });
    }
  });
});
