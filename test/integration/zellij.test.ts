import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@bgotink/kdl/v1-compat';
import { describe, expect, it } from 'vitest';
import { checkZellijLayout } from '../../src/core/zellij-rules.js';
import { runCli } from '../helpers/cli.js';
import { type FakeZellij, makeFakeZellij } from '../helpers/fake-zellij.js';
import { closeWorkspace, standInWorkspace, standInWorkspaceEach } from '../helpers/workspace.js';

const PROMPT = 'Use "quotes", \\backslashes\\, $HOME, ${X}, $(id), `id`, # hash\nnew line ✓ 🚀 \u2028 end';

interface LeafPane {
  name: string;
  cwd: string;
  command: string;
  args: string[];
}

/** The agent panes of a layout, as Zellij would read them (`$$` in cwd/command is a literal `$`). */
function leafPanes(kdl: string): LeafPane[] {
  const panes: LeafPane[] = [];
  const walk = (nodes: ReturnType<typeof parse>['nodes']) => {
    for (const node of nodes) {
      const children = node.children?.nodes ?? [];
      if (node.getName() === 'pane' && node.getProperty('command') !== undefined) {
        const args = children.find((c) => c.getName() === 'args');
        panes.push({
          name: String(node.getProperty('name')),
          cwd: String(node.getProperty('cwd')).replaceAll('$$', '$'),
          command: String(node.getProperty('command')).replaceAll('$$', '$'),
          args: args ? args.getArguments().map(String) : [],
        });
      }
      walk(children);
    }
  };
  walk(parse(kdl).nodes);
  return panes;
}

describe('--mux zellij (recording stand-in zellij)', () => {
  const workspace = standInWorkspaceEach();
  let zellij: FakeZellij;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    workspace.cli(args, { env: { ...zellij.env, ...env } });

  it.each([
    '0.40.1',
    '0.41.2',
    '0.44.0',
    '0.45.0',
  ])('zellij %s: deletes a stale session, creates it in the background from a valid layout', async (version) => {
    zellij = makeFakeZellij(workspace.repo.parent, version);
    zellij.setSessions({ 'app-auth': { exited: true, layout: null } });
    const result = await cli(['auth', '-n', '4', '--mux', 'zellij', '-p', PROMPT, '--no-attach'], {
      PROBE_VAR: 'from-the-callers-shell',
    });
    expect(result.stderr).toContain('Started 4 agents');
    expect(result.code).toBe(0);
    // Issue 12 defect 7: never `zellij attach NAME`, which attaches to another session starting with NAME.
    expect(result.stdout).toContain('Attach: git parallel attach auth');

    const layoutFile = path.join(workspace.repo.root, '.git/parallel/auth/layout.kdl');
    const mutating = zellij.calls().filter((c) => !['--version', 'list-sessions'].includes(c.argv[0]!));
    expect(mutating.map((c) => c.argv)).toEqual([
      ['delete-session', '--force', 'app-auth'],
      ['attach', '--create-background', 'app-auth', 'options', '--default-layout', layoutFile],
    ]);
    // Commands that create sessions never run as if inside another session.
    expect(mutating.every((c) => c.env.ZELLIJ_SESSION_NAME === undefined)).toBe(true);

    const kdl = zellij.sessions()['app-auth']!.layout!;
    expect(kdl).toBe(readFileSync(layoutFile, 'utf8'));
    expect(checkZellijLayout(kdl)).toEqual({ ok: true });
    const panes = leafPanes(kdl);
    const manifest = JSON.parse(
      readFileSync(path.join(workspace.repo.root, '.git/parallel/auth/run.json'), 'utf8'),
    );
    expect(panes.map((p) => p.name)).toEqual(
      manifest.candidates.map(
        (c: { n: number; ports: { PORT: number } }) => `auth-${c.n} · standin · :${c.ports.PORT}`,
      ),
    );
    expect(panes.map((p) => p.cwd)).toEqual(manifest.candidates.map((c: { worktree: string }) => c.worktree));
    // 4 agents: a grid of ceil(sqrt(4)) = 2 columns.
    expect(kdl.match(/split_direction="vertical"/g)?.length).toBe(2);

    // Run pane 3 exactly as Zellij would (argv, no shell): the prompt reaches the agent byte for byte.
    const pane = panes[2]!;
    // Zellij's server starts the pane with its own environment, which lacks PROBE_VAR: the launcher
    // restores the caller's (issue 9).
    const ran = spawnSync(pane.command, pane.args, { cwd: pane.cwd, env: process.env, encoding: 'utf8' });
    expect(ran.status).toBe(0);
    const record = workspace.agent.record(3);
    expect(record.argv).toEqual(['--', PROMPT]);
    expect(record.cwd).toBe(manifest.candidates[2].worktree);
    expect(record.env.PORT).toBe(String(manifest.candidates[2].ports.PORT));
    expect(record.env.GIT_PARALLEL_INDEX).toBe('3');
    expect(process.env.PROBE_VAR).toBeUndefined();
    expect(record.env.PROBE_VAR).toBe('from-the-callers-shell');

    // rm: kill, then delete, so the session cannot be resurrected. (rm ends the agents first, through the
    // session, and looks again afterwards: the reads, list-sessions, are left out.)
    const callsBefore = zellij.calls().length;
    const rm = await cli(['rm', 'auth', '--force']);
    expect(rm.code).toBe(0);
    expect(
      zellij
        .calls()
        .slice(callsBefore)
        .filter((c) => !['--version', 'list-sessions'].includes(c.argv[0]!))
        .map((c) => c.argv),
    ).toEqual([
      ['kill-session', 'app-auth'],
      ['delete-session', '--force', 'app-auth'],
    ]);
    expect(zellij.sessions()).toEqual({});
  });

  it('refuses a Zellij older than 0.40 with the minimum, creating nothing', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.39.2');
    const result = await cli(['auth', '-n', '2', '--mux', 'zellij', '--no-attach']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'git parallel: zellij 0.39.2 is too old: git parallel needs Zellij 0.40.0 or newer',
    );
    expect(workspace.repo.git('branch', '--list', 'auth-*')).toBe('');
    expect(existsSync(path.join(workspace.repo.root, '.git/parallel/auth'))).toBe(false);
  });

  it('inside Zellij: defaults to zellij, switches with 0.44+, and --tab opens a tab of the current session', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
    const inside = { ZELLIJ: '0', ZELLIJ_SESSION_NAME: 'mine' };
    zellij.setSessions({ mine: { exited: false, layout: null, clients: 1 } });
    const result = await cli(['auth', '-n', '2', '--no-attach'], inside);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Attach: git parallel attach auth');

    const tab = await cli(['tabbed', '-n', '2', '--tab'], inside);
    expect(tab.code).toBe(0);
    const layoutFile = path.join(workspace.repo.root, '.git/parallel/tabbed/layout.kdl');
    expect(zellij.calls().at(-1)!.argv).toEqual([
      'action',
      'new-tab',
      '--layout',
      layoutFile,
      '--name',
      'tabbed',
    ]);
    expect(checkZellijLayout(readFileSync(layoutFile, 'utf8'))).toEqual({ ok: true });

    expect(zellij.sessions().mine!.tabs).toEqual([{ id: 1, name: 'tabbed' }]);

    // rm of a tab run closes its tab (issue 12 defect 6) and leaves the user's own session alone.
    expect((await cli(['rm', 'tabbed', '--force'], inside)).code).toBe(0);
    expect(zellij.calls().at(-1)!.argv).toEqual(['-s', 'mine', 'action', 'close-tab-by-id', '1']);
    expect(zellij.sessions().mine).toMatchObject({ exited: false, layout: null, tabs: [] });
  });

  it('rm of a --tab run whose tab record is damaged says which tab to close, and removes the run', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
    const inside = { ZELLIJ: '0', ZELLIJ_SESSION_NAME: 'mine' };
    zellij.setSessions({ mine: { exited: false, layout: null, clients: 1 } });
    expect((await cli(['tabbed', '-n', '2', '--tab'], inside)).code).toBe(0);
    const record = path.join(workspace.repo.root, '.git/parallel/tabbed/zellij-tabs.json');
    writeFileSync(record, '{"session": "mine", "ids": [1');
    const removed = await cli(['rm', 'tabbed', '--force'], inside);
    expect(removed.stderr).toContain(`${record} is damaged: it is not valid JSON (`);
    expect(removed.stderr).toMatch(/; close the run's tab in the Zellij session mine yourself;/);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(path.dirname(record))).toBe(false);
    expect(zellij.calls().some((call) => call.argv.includes('close-tab-by-id'))).toBe(false);
  });

  it('--tab outside Zellij is refused', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
    const result = await cli(['auth', '-n', '2', '--mux', 'zellij', '--tab']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--tab .* works only inside Zellij/);
  });

  it.each([
    ['0.45.0', 0, true],
    ['0.44.0', 0, true],
    ['0.43.1', 1, true],
    ['0.40.1', 0, false],
  ] as const)('zellij %s with %i client(s): synthesize opens candidate 3’s pane in the run’s session (issue 16)', async (version, clients, opens) => {
    zellij = makeFakeZellij(workspace.repo.parent, version);
    expect((await cli(['auth', '-n', '2', '--mux', 'zellij', '--no-attach'])).code).toBe(0);
    const sessions = zellij.sessions();
    sessions['app-auth']!.clients = clients;
    zellij.setSessions(sessions);

    const result = await cli(['synthesize', 'auth', '--from', '1,2']);
    expect(result.code, result.stderr).toBe(0);
    const worktree = path.join(workspace.repo.parent, 'app-worktrees', 'auth-3');
    expect(existsSync(worktree)).toBe(true);
    const newPane = zellij.calls().filter((c) => c.argv.includes('new-pane'));
    if (!opens) {
      // Before 0.44 a pane asked for with no client attached is dropped: it is not asked for at all.
      expect(newPane).toEqual([]);
      expect(zellij.sessions()['app-auth']!.opened).toBeUndefined();
      expect(result.stdout).toContain(
        `Zellij ${version} opens a pane only in a session a terminal is attached to (0.44+ opens it in any): attach with git parallel attach auth and run git parallel launch auth 3 in a pane of it`,
      );
      return;
    }
    expect(result.stderr).toContain('Its agent started in a new pane of app-auth.');
    // Addressed to the run's session by name, from outside any session.
    expect(newPane).toHaveLength(1);
    expect(newPane[0]!.argv.slice(0, 4)).toEqual(['-s', 'app-auth', 'action', 'new-pane']);
    expect(newPane[0]!.env.ZELLIJ_SESSION_NAME).toBeUndefined();
    const opened = zellij.sessions()['app-auth']!.opened!;
    expect(opened).toHaveLength(1);
    // Named, placed and started as the layout's panes are: the launcher of candidate 3 in its worktree.
    const layoutPanes = leafPanes(
      readFileSync(path.join(workspace.repo.root, '.git/parallel/auth/layout.kdl'), 'utf8'),
    );
    expect(opened[0]!.name).toMatch(/^auth-3 · standin/);
    expect(opened[0]!.cwd).toBe(worktree);
    expect(opened[0]!.command[0]).toBe(layoutPanes[0]!.command);
    expect(opened[0]!.command.slice(1)).toEqual(layoutPanes[0]!.args.map((a) => (a === '1' ? '3' : a)));
    // A session recreated later holds all three panes.
    zellij.setSessions({});
    expect((await cli(['attach', 'auth', '--no-attach'])).code).toBe(0);
    expect(leafPanes(zellij.sessions()['app-auth']!.layout!)).toHaveLength(3);
  });

  it('attach recreates a gone session from the recorded layout, with --resume panes', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.45.0');
    expect((await cli(['auth', '-n', '2', '--mux', 'zellij', '--no-attach'])).code).toBe(0);
    zellij.setSessions({});
    const attach = await cli(['attach', 'auth', '--no-attach']);
    expect(attach.code).toBe(0);
    expect(attach.stderr).toContain('Recreated the zellij session app-auth');
    const panes = leafPanes(zellij.sessions()['app-auth']!.layout!);
    expect(panes).toHaveLength(2);
    expect(panes.every((p) => p.args.includes('--resume') && !p.args.includes('--restart'))).toBe(true);

    zellij.setSessions({});
    await cli(['attach', 'auth', '--restart', '--no-attach']);
    expect(leafPanes(zellij.sessions()['app-auth']!.layout!).every((p) => p.args.includes('--restart'))).toBe(
      true,
    );
  });

  it('rejects an unknown layout, and a template with an unknown placeholder names the file and line', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
    const unknown = await cli(['auth', '--mux', 'zellij', '--layout', 'spiral']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown layout "spiral"');
    const template = path.join(workspace.repo.parent, 'mine.kdl');
    writeFileSync(template, 'layout {\n    tab name={{tab_name}} {\n        {{panes}}\n    }\n}\n');
    const bad = await cli(['auth', '--mux', 'zellij', '--layout', template]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${template}:3: unknown placeholder {{panes}}`);
    expect(workspace.repo.git('branch', '--list', 'auth-*')).toBe('');
    expect(zellij.calls().some((c) => c.argv[0] === 'attach')).toBe(false);
  });

  it('doctor reports the Zellij version and the features it enables', async () => {
    zellij = makeFakeZellij(workspace.repo.parent, '0.41.2');
    const doctor = JSON.parse((await cli(['doctor', '--json'])).stdout);
    const row = doctor.checks.find((c: { name: string }) => c.name === 'zellij');
    expect(row).toMatchObject({ found: true, version: '0.41.2', ok: true });
    expect(row.features).toEqual([
      'runs and --no-attach: yes',
      'switching sessions from inside Zellij: no (needs 0.44.0)',
      'pane state and send by pane: no (needs 0.44.0)',
    ]);
  });
});

describe('--mux none', () => {
  it('creates everything and prints one command per candidate that starts its agent', async () => {
    const { repo, tmux, agent } = standInWorkspace();
    try {
      const result = await runCli(['solo', '-n', '2', '--mux', 'none', '-p', PROMPT], {
        cwd: repo.root,
      });
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n').filter((l) => l.includes('git parallel launch'));
      expect(lines.map((l) => l.trim())).toEqual([
        'git parallel launch solo 1',
        'git parallel launch solo 2',
      ]);
      expect(existsSync(path.join(repo.parent, 'app-worktrees/solo-2'))).toBe(true);
      const launched = await runCli(['launch', 'solo', '2'], {
        cwd: path.join(repo.parent, 'app-worktrees/solo-2'),
      });
      expect(launched.code).toBe(0);
      expect(agent.record(2).argv).toEqual(['--', PROMPT]);
      expect(agent.record(2).env.GIT_PARALLEL_INDEX).toBe('2');
    } finally {
      closeWorkspace({ repo, tmux });
    }
  });
});
