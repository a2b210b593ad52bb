import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRun } from '../../src/actions/create-run.js';
import { CommandFailure } from '../../src/errors.js';
import { ZellijDriver } from '../../src/io/zellij.js';
import { type FakeZellij, makeFakeZellij } from '../helpers/fake-zellij.js';
import { callAction } from '../helpers/in-process.js';
import { standInWorkspaceEach } from '../helpers/workspace.js';

/**
 * Issue 12: what differs between Zellij versions, against the versioned stand-in
 * (test/helpers/fake-zellij.ts), one block per defect.
 */
describe('Zellij as its source says (issue 12)', () => {
  const workspace = standInWorkspaceEach();
  let zellij: FakeZellij;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    workspace.cli(args, { env: { ...zellij.env, ...env } });
  const manifestOf = (task: string) =>
    JSON.parse(readFileSync(path.join(workspace.repo.root, `.git/parallel/${task}/run.json`), 'utf8'));
  const inside = { ZELLIJ: '0', ZELLIJ_SESSION_NAME: 'mine' };
  const mySession = () => ({ mine: { exited: false, layout: null, clients: 1 } });

  describe('defect 1: a session name is fitted to the socket folder zellij uses', () => {
    // 64 characters, the longest task name: `app-<task>` is 68.
    const task = `t${'x'.repeat(63)}`;

    it.each([
      ['0.43.1', 'hangs forever'],
      ['0.44.1', 'fails with "IPC socket path is too long"'],
    ])('zellij %s (whose attach -b %s on a long socket path): the run starts', async (version) => {
      // A 50-byte ZELLIJ_SOCKET_DIR: with the version folder, `app-<task>` would make a 127-byte path.
      const socketDir = path.join(workspace.repo.parent, 's'.repeat(49 - workspace.repo.parent.length));
      zellij = makeFakeZellij(workspace.repo.parent, version, { ZELLIJ_SOCKET_DIR: socketDir });
      const result = await cli([task, '-n', '2', '--mux', 'zellij', '--no-attach']);
      expect(result.code, result.stderr).toBe(0);
      const session: string = manifestOf(task).mux.session;
      const subdir = version === '0.43.1' ? '0.43.1' : 'contract_version_1';
      expect(Buffer.byteLength(path.join(socketDir, subdir, session))).toBe(107);
      expect(session).toMatch(/^app-txxx+-[0-9a-f]{6}$/);
      expect(Object.keys(zellij.sessions())).toEqual([session]);
      expect(result.stdout).toContain(`Attach: git parallel attach ${task}`);
      // rm finds it by the recorded name.
      expect((await cli(['rm', task, '--force'])).code).toBe(0);
      expect(zellij.sessions()).toEqual({});
    });

    it('honours XDG_RUNTIME_DIR when ZELLIJ_SOCKET_DIR is unset', async () => {
      const runtime = path.join(workspace.repo.parent, 'r'.repeat(60 - workspace.repo.parent.length));
      zellij = makeFakeZellij(workspace.repo.parent, '0.45.0', { XDG_RUNTIME_DIR: runtime });
      const result = await cli([task, '-n', '1', '--mux', 'zellij', '--no-attach']);
      expect(result.code, result.stderr).toBe(0);
      const session: string = manifestOf(task).mux.session;
      expect(Buffer.byteLength(path.join(runtime, 'zellij', 'contract_version_1', session))).toBe(107);
    });

    it('a socket folder that leaves no room for a name is refused before anything is made', async () => {
      const socketDir = path.join(workspace.repo.parent, 'd'.repeat(95 - workspace.repo.parent.length));
      zellij = makeFakeZellij(workspace.repo.parent, '0.44.0', { ZELLIJ_SOCKET_DIR: socketDir });
      const result = await cli(['authentication', '-n', '2', '--mux', 'zellij', '--no-attach']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `git parallel: Zellij's socket folder ${socketDir}/contract_version_1 leaves no room for a session name (a socket path must be shorter than 108 bytes); set ZELLIJ_SOCKET_DIR to a short folder, e.g. ZELLIJ_SOCKET_DIR=/tmp/zellij`,
      );
      expect(workspace.repo.git('branch', '--list', 'authentication-*')).toBe('');
      expect(zellij.calls().some((c) => c.argv[0] === 'attach')).toBe(false);
    });

    it('every zellij call has a timeout: a hanging attach -b is stopped and said', async () => {
      // The driver believes in Linux's 108 bytes; the stand-in plays macOS (104), so a 105-byte socket
      // path passes our check and hangs in zellij 0.43, as a wrong guess about the world would.
      const socketDir = path.join(workspace.repo.parent, 'm'.repeat(60 - workspace.repo.parent.length));
      zellij = makeFakeZellij(workspace.repo.parent, '0.43.1', {
        ZELLIJ_SOCKET_DIR: socketDir,
        FAKE_ZELLIJ_PLATFORM: 'darwin',
      });
      const env = { ...process.env, ...zellij.env };
      const driver = new ZellijDriver(env, workspace.repo.root, { timeoutMs: 1500, platform: 'linux' });
      const session = 'x'.repeat(105 - socketDir.length - '/0.43.1/'.length);
      const started = Date.now();
      const created = driver.createSession({
        session,
        window: 'w',
        layout: 'tiled',
        panes: [{ title: 'w-1', cwd: workspace.repo.root, argv: ['/bin/true'] }],
        stateDir: workspace.repo.parent,
      });
      await expect(created).rejects.toThrow(CommandFailure);
      await expect(created).rejects.toThrow(/did not finish within 1.5 s and was stopped/);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  describe('defect 4: --tab with a layout of several tabs', () => {
    it('is refused up front on 0.40.x, where new-tab says "Tab layout cannot itself have tabs"', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.40.1');
      zellij.setSessions(mySession());
      const result = await cli(['tabbed', '-n', '2', '--tab', '--layout', 'tabs'], inside);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'zellij 0.40.1 cannot open a layout of several tabs in the current session ("Tab layout cannot itself have tabs"; that came in 0.41.0)',
      );
      expect(workspace.repo.git('branch', '--list', 'tabbed-*')).toBe('');
      expect(zellij.calls().some((c) => c.argv.includes('new-tab'))).toBe(false);
      // One agent is one tab: that works on 0.40 too.
      const one = await cli(['solo', '-n', '1', '--tab', '--layout', 'tabs'], inside);
      expect(one.code, one.stderr).toBe(0);
    });

    it('works on 0.41+', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.41.0');
      zellij.setSessions(mySession());
      const result = await cli(['tabbed', '-n', '2', '--tab', '--layout', 'tabs'], inside);
      expect(result.code, result.stderr).toBe(0);
      expect(zellij.sessions().mine!.tabs).toHaveLength(2);
    });
  });

  describe('defect 6: rm and pick close the tabs of a --tab run', () => {
    it('0.44+: the ids new-tab printed are recorded and closed by id; other tabs stay', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
      zellij.setSessions({ mine: { ...mySession().mine, tabs: [{ id: 1, name: 'my own' }] } });
      expect((await cli(['tabbed', '-n', '2', '--tab', '--layout', 'tabs'], inside)).code).toBe(0);
      expect((await cli(['single', '-n', '2', '--tab'], inside)).code).toBe(0);
      expect(zellij.sessions().mine!.tabs!.map((t) => t.id)).toEqual([1, 2, 3, 4]);

      const rm = await cli(['rm', 'tabbed', '--force'], inside);
      expect(rm.code, rm.stderr).toBe(0);
      expect(
        zellij
          .calls()
          .filter((c) => c.argv.includes('close-tab-by-id'))
          .map((c) => c.argv),
      ).toEqual([
        ['-s', 'mine', 'action', 'close-tab-by-id', '2'],
        ['-s', 'mine', 'action', 'close-tab-by-id', '3'],
      ]);
      expect(zellij.sessions().mine!.tabs).toEqual([
        { id: 1, name: 'my own' },
        { id: 4, name: 'single' },
      ]);

      // pick (from outside Zellij, as the session it names is the recorded one) closes its tab too.
      workspace.repo.git(
        '-C',
        path.join(workspace.repo.parent, 'app-worktrees/single-1'),
        'commit',
        '--allow-empty',
        '-m',
        'work',
      );
      const pick = await cli(['pick', 'single', '1']);
      expect(pick.code, pick.stderr).toBe(0);
      expect(zellij.sessions().mine!.tabs).toEqual([{ id: 1, name: 'my own' }]);
      expect(zellij.sessions().mine!.exited).toBe(false);
    });

    it('before 0.44 (no close-tab-by-id): rm says which tab to close', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.43.1');
      zellij.setSessions(mySession());
      expect((await cli(['tabbed', '-n', '2', '--tab'], inside)).code).toBe(0);
      const rm = await cli(['rm', 'tabbed', '--force'], inside);
      expect(rm.code, rm.stderr).toBe(0);
      expect(rm.stderr).toContain(
        'warning: Zellij 0.43.1 cannot close a chosen tab from outside it (close-tab-by-id came in 0.44.0): close "tabbed" in the session mine yourself',
      );
      expect(zellij.calls().some((c) => c.argv.includes('close-tab-by-id'))).toBe(false);
    });
  });

  describe('defects 5 and 7: how to get to the run', () => {
    it.each([
      ['0.40.1', 'detach from this Zellij session (Ctrl o, then d), then run: git parallel attach auth'],
      ['0.43.1', 'detach from this Zellij session (Ctrl o, then d), then run: git parallel attach auth'],
      ['0.44.0', 'git parallel attach auth'],
      ['0.45.0', 'git parallel attach auth'],
    ])('inside Zellij %s the hint is: %s', async (version, hint) => {
      zellij = makeFakeZellij(workspace.repo.parent, version);
      zellij.setSessions(mySession());
      const result = await cli(['auth', '-n', '2', '--no-attach'], inside);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Attach: ${hint}\n`);
      expect(result.stdout).not.toContain('switch-session');
      const attach = await cli(['attach', 'auth', '--no-attach'], inside);
      expect(attach.stdout).toBe(`Attach: ${hint}\n`);
    });

    it('outside Zellij, never `zellij attach NAME`: zellij attaches a gone NAME to a session starting with it', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
      expect((await cli(['auth-2', '-n', '1', '--mux', 'zellij', '--no-attach'])).code).toBe(0);
      // What a printed `zellij attach app-auth` would do once app-auth is gone: reach another run.
      const { spawnSync } = await import('node:child_process');
      const stray = spawnSync('zellij', ['attach', 'app-auth'], {
        env: { ...process.env, ...zellij.env },
        encoding: 'utf8',
      });
      expect(stray.stdout).toBe('attached to app-auth-2\n');
      const result = await cli(['auth', '-n', '1', '--mux', 'zellij', '--no-attach']);
      expect(result.stdout).toContain('Attach: git parallel attach auth\n');
      expect(result.stdout).not.toContain('zellij attach');
    });

    it('inside Zellij before 0.44, attaching after a successful creation warns and the run stands', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.43.1');
      zellij.setSessions(mySession());
      const { stderr } = await callAction(
        (io) =>
          createRun(
            { task: 'auth', agents: 2, mux: 'zellij', attach: true, dryRun: false },
            { ...io, stdin: new PassThrough(), isTerminal: true },
          ),
        { cwd: workspace.repo.root, env: { ...zellij.env, ...inside } },
      );
      expect(stderr).toContain(
        'warning: switching sessions from inside Zellij needs Zellij 0.44+ (this is 0.43.1); detach (Ctrl o, then d), then run: git parallel attach auth\n',
      );
      expect(manifestOf('auth').phase).toBe('ready');
      expect(zellij.sessions()['app-auth']!.exited).toBe(false);
    });
  });

  describe('kill-session returns before the server is gone', () => {
    it('rm waits for it, so the same run can be started again at once with its own layout', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.44.0', { FAKE_ZELLIJ_KILL_MS: '1500' });
      expect((await cli(['auth', '-n', '1', '--mux', 'zellij', '--no-attach'])).code).toBe(0);
      expect((await cli(['rm', 'auth', '--force'])).code).toBe(0);
      expect(zellij.sessions()).toEqual({});
      const again = await cli(['auth', '-n', '2', '--mux', 'zellij', '--no-attach']);
      expect(again.code, again.stderr).toBe(0);
      const session = zellij.sessions()['app-auth']!;
      expect(session.exited).toBe(false);
      expect(session.dyingUntil).toBeUndefined();
      expect(session.layout).toBe(
        readFileSync(path.join(workspace.repo.root, '.git/parallel/auth/layout.kdl'), 'utf8'),
      );
      expect(session.layout!.match(/pane name="auth-/g)).toHaveLength(2);
    });
  });

  describe('the stand-in itself', () => {
    it('re-reads the layout file after the attach -b client exits, falling back to the default layout', async () => {
      zellij = makeFakeZellij(workspace.repo.parent, '0.44.0');
      expect((await cli(['auth', '-n', '1', '--mux', 'zellij', '--no-attach'])).code).toBe(0);
      // Nothing git parallel did after attach -b changed the layout zellij re-read.
      const layoutFile = path.join(workspace.repo.root, '.git/parallel/auth/layout.kdl');
      expect(zellij.sessions()['app-auth']!.layout).toBe(readFileSync(layoutFile, 'utf8'));
      expect(zellij.sessions()['app-auth']!.size).toEqual({ rows: 50, cols: 50 });

      zellij.setSessions({});
      writeFileSync(path.join(workspace.repo.parent, 'l.kdl'), 'layout {\n    pane\n}\n');
      const { spawnSync } = await import('node:child_process');
      const z = (...args: string[]) =>
        spawnSync('zellij', args, { env: { ...process.env, ...zellij.env }, encoding: 'utf8' });
      z('attach', '-b', 's', 'options', '--default-layout', path.join(workspace.repo.parent, 'l.kdl'));
      writeFileSync(path.join(workspace.repo.parent, 'l.kdl'), 'not a layout');
      z('list-sessions');
      expect(zellij.sessions().s!.layout).toBeNull();
      // A client attaching gives the panes its size.
      z('attach', 's');
      expect(zellij.sessions().s!.size).toEqual({ rows: 40, cols: 120 });
    });
  });
});
