import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countZellijClients, parseZellijPaneList, ZellijPanes } from '../../src/io/zellij-panes.js';
import { runCli } from '../helpers/cli.js';
import { makeFakeZellij } from '../helpers/fake-zellij.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn } from '../helpers/stand-in-agent.js';

/** The versioned Zellij stand-in, with the session `app-t` running `panes` (attached clients: `clients`). */
function zellijWith(dir: string, version: string, panes: unknown[] = [], clients = 0) {
  const zellij = makeFakeZellij(dir, version);
  zellij.setSessions({
    'app-t': { exited: false, layout: null, panes, clients, size: { rows: 50, cols: 50 } },
  });
  const argvs = () => zellij.calls().map((c) => c.argv);
  return { ...zellij, env: { ...process.env, ...zellij.env }, argvs };
}

const PANES = [
  { id: 0, is_plugin: true, title: 'tab-bar' },
  {
    id: 1,
    is_plugin: false,
    title: 't-1 · standin · :4001',
    exited: false,
    exit_status: null,
    pane_cwd: '/w/t-1',
  },
  {
    id: 2,
    is_plugin: false,
    title: 't-2 · standin · :4002',
    exited: true,
    exit_status: 3,
    pane_cwd: '/w/t-2',
  },
  { id: 2, is_plugin: true, title: 'status-bar' },
];

describe('Zellij pane queries and typing', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo('app');
  });
  afterEach(() => repo.cleanup());

  it('0.44+: lists terminal panes, reads one pane, pastes text and presses Enter in one pane', async () => {
    const zellij = zellijWith(repo.parent, '0.44.0', PANES);
    const panes = new ZellijPanes(zellij.env);
    expect(await panes.listPanes('app-t')).toEqual([
      { id: 'terminal_1', title: 't-1 · standin · :4001', exited: false, exitStatus: null, cwd: '/w/t-1' },
      { id: 'terminal_2', title: 't-2 · standin · :4002', exited: true, exitStatus: 3, cwd: '/w/t-2' },
    ]);
    // A background session no client has attached to runs its panes at 50×50.
    expect(await panes.dumpScreen('app-t', 'terminal_1')).toBe('screen of terminal_1 at 50x50\n');
    await panes.sendText('app-t', 'terminal_1', '-now add tests; $(touch x)');
    expect(zellij.argvs()).toEqual([
      ['--version'],
      ['-s', 'app-t', 'action', 'list-panes', '--json'],
      ['-s', 'app-t', 'action', 'dump-screen', '--pane-id', 'terminal_1'],
      ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_1', '--', '-now add tests; $(touch x)'],
      ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_1', 'Enter'],
    ]);
  });

  it('before 0.44: no pane queries at all; typing goes to the focused pane with write-chars', async () => {
    const zellij = zellijWith(repo.parent, '0.43.1', PANES, 1);
    const panes = new ZellijPanes(zellij.env);
    expect(await panes.canAddressPanes()).toBe(false);
    expect(await panes.listPanes('app-t')).toBeNull();
    expect(await panes.dumpScreen('app-t', 'terminal_1')).toBeNull();
    await panes.sendToFocusedPane('app-t', '--hello');
    expect(zellij.argvs()).toEqual([
      ['--version'],
      ['-s', 'app-t', 'action', 'list-clients'],
      ['-s', 'app-t', 'action', 'write-chars', '--', '--hello'],
      ['-s', 'app-t', 'action', 'write', '13'],
    ]);
    expect(zellij.sessions()['app-t']!.typed).toEqual([
      { pane: null, text: '--hello' },
      { pane: null, text: '\r' },
    ]);
  });

  it('before 0.44, from inside the session itself: refuses, as the focused pane is the one it runs in', async () => {
    const zellij = zellijWith(repo.parent, '0.43.1', PANES, 1);
    const panes = new ZellijPanes({ ...zellij.env, ZELLIJ: '0', ZELLIJ_SESSION_NAME: 'app-t' });
    await expect(panes.sendToFocusedPane('app-t', 'rm -rf build')).rejects.toThrow(
      'nothing was sent: before 0.44 Zellij types only into the focused pane, and in the session app-t that is the pane this command runs in',
    );
    expect(zellij.sessions()['app-t']!.typed).toBeUndefined();
  });

  it('counts list-clients lines: the header alone means no client (0.40.1+ prints it always)', () => {
    expect(countZellijClients('CLIENT_ID ZELLIJ_PANE_ID RUNNING_COMMAND\n')).toBe(0);
    expect(
      countZellijClients(
        'CLIENT_ID ZELLIJ_PANE_ID RUNNING_COMMAND\n1         terminal_3     N/A            \n2         terminal_1     vim            \n',
      ),
    ).toBe(2);
  });

  it.each([
    ['not JSON', 'zellij: unknown command', []],
    [
      'an object with panes',
      JSON.stringify({ panes: [{ id: 4, title: 'x' }] }),
      [{ id: 'terminal_4', title: 'x', exited: false, exitStatus: null, cwd: null }],
    ],
    [
      'string ids',
      JSON.stringify([{ id: 'terminal_7', title: 'y', exited: true, exit_status: 0 }, { id: 'plugin_1' }]),
      [{ id: 'terminal_7', title: 'y', exited: true, exitStatus: 0, cwd: null }],
    ],
    ['entries without ids', JSON.stringify([{ title: 'z' }, 3, null]), []],
  ])('reads list-panes output defensively: %s', (_name, text, expected) => {
    expect(parseZellijPaneList(text)).toEqual(expected);
  });

  describe('through the CLI, on a Zellij run', () => {
    async function zellijRun(version: string) {
      const agent = makeStandIn(repo.parent);
      writeFileSync(
        path.join(repo.root, '.git-parallelrc.json'),
        JSON.stringify({ agent: 'standin', agents: { standin: agent.definition } }),
      );
      repo.commit('config');
      const zellij = zellijWith(repo.parent, version);
      zellij.setSessions({});
      const created = await runCli(
        ['t', '-n', '2', '-p', 'go', '--mux', 'zellij', '--no-attach', '--trust'],
        { cwd: repo.root, env: zellij.env },
      );
      expect(created.code, created.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/t/run.json'), 'utf8'));
      const panes = manifest.candidates.map((c: { n: number; ports: { PORT: number } }) => ({
        id: c.n + 10,
        is_plugin: false,
        title: `t-${c.n} · standin · :${c.ports.PORT}`,
        exited: false,
        exit_status: null,
      }));
      const session = zellij.sessions()['app-t']!;
      zellij.setSessions({ 'app-t': { ...session, panes } });
      return zellij;
    }

    it('send types into each candidate’s pane by id; status reads each pane', async () => {
      const zellij = await zellijRun('0.44.0');
      const sent = await runCli(['send', 't', 'now add tests'], { cwd: repo.root, env: zellij.env });
      expect(sent.code, sent.stderr).toBe(0);
      // send reads each screen first (issue 9: it refuses to type into a dialog).
      const beforeStatus = zellij.argvs().length;
      const typing = zellij.argvs().filter((argv) => argv.includes('paste') || argv.includes('send-keys'));
      expect(typing).toEqual([
        ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_11', '--', 'now add tests'],
        ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_11', 'Enter'],
        ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_12', '--', 'now add tests'],
        ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_12', 'Enter'],
      ]);

      const status = await runCli(['status', 't', '--json'], { cwd: repo.root, env: zellij.env });
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).runs[0].candidates.map((c: { state: string }) => c.state)).toEqual([
        'starting',
        'starting',
      ]);
      const screens = zellij
        .argvs()
        .slice(beforeStatus)
        .filter((argv) => argv.includes('dump-screen'));
      expect(screens.map((argv) => argv.at(-1)).sort()).toEqual(['terminal_11', 'terminal_12']);
      expect(existsSync(path.join(repo.root, '.git/parallel/t/activity/1.json'))).toBe(true);
    });

    it('before 0.44, with a client attached, send says it could only type into the focused pane', async () => {
      const zellij = await zellijRun('0.43.1');
      zellij.setSessions({ 'app-t': { ...zellij.sessions()['app-t']!, clients: 1 } });
      const sent = await runCli(['send', 't', 'now add tests'], { cwd: repo.root, env: zellij.env });
      expect(sent.code).toBe(0);
      expect(sent.stderr).toContain(
        'this Zellij cannot type into a chosen pane (that needs 0.44+): the text went to the FOCUSED pane of app-t only',
      );
      expect(zellij.argvs().filter((argv) => argv.includes('write-chars'))).toEqual([
        ['-s', 'app-t', 'action', 'write-chars', '--', 'now add tests'],
      ]);
      expect(zellij.sessions()['app-t']!.typed?.[0]).toEqual({ pane: null, text: 'now add tests' });
      expect(zellij.argvs().some((argv) => argv.includes('list-panes'))).toBe(false);
    });

    // Issue 12 defect 3: before 0.44 typing needs an attached client; with none zellij drops the text
    // and still exits 0, so send must not claim it went anywhere.
    it.each([
      '0.40.1',
      '0.43.1',
    ])('%s, no client attached: send says nothing was sent, exit 1', async (version) => {
      const zellij = await zellijRun(version);
      const sent = await runCli(['send', 't', 'now add tests'], { cwd: repo.root, env: zellij.env });
      expect(sent.code).toBe(1);
      expect(sent.stderr).toContain(
        `nothing was sent: no terminal is attached to the Zellij session app-t, and Zellij ${version} types only through one`,
      );
      expect(sent.stderr).not.toContain('FOCUSED pane');
      expect(zellij.argvs().some((argv) => argv.includes('write-chars'))).toBe(false);
      expect(zellij.sessions()['app-t']!.typed).toBeUndefined();
    });
  });
});
