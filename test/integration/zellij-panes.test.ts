import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseZellijPaneList, ZellijPanes } from '../../src/io/zellij-panes.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn } from '../helpers/stand-in-agent.js';

/**
 * A recording stand-in for `zellij` (Zellij cannot be installed here): every call appends its argv as a
 * JSON line to a log; `--version` answers FAKE_ZELLIJ_VERSION; sessions created with `attach -b` are
 * listed by `list-sessions`; `action list-panes --json` prints FAKE_ZELLIJ_PANES and `action dump-screen`
 * prints a screen named after the pane. Every other call succeeds silently.
 */
const FAKE = String.raw`
const fs = require('node:fs');
const argv = process.argv.slice(2);
const env = process.env;
fs.appendFileSync(env.FAKE_ZELLIJ_LOG, JSON.stringify(argv) + '\n');
const sessionsFile = env.FAKE_ZELLIJ_LOG + '.sessions';
const sessions = fs.existsSync(sessionsFile) ? fs.readFileSync(sessionsFile, 'utf8').split('\n').filter(Boolean) : [];
if (argv[0] === '--version') { console.log('zellij ' + env.FAKE_ZELLIJ_VERSION); process.exit(0); }
if (argv[0] === 'list-sessions') {
  if (sessions.length === 0) { console.error('No active zellij sessions found.'); process.exit(1); }
  for (const name of sessions) console.log(name + ' [Created 1m ago]');
  process.exit(0);
}
if (argv[0] === 'attach' && argv[1] === '--create-background') { fs.appendFileSync(sessionsFile, argv[2] + '\n'); process.exit(0); }
const action = argv[0] === '-s' ? argv.slice(2) : argv;
// As zellij's clap parser (no allow_hyphen_values, every version): text that starts with '-' and
// comes before a '--' is read as an unknown option.
if (action[0] === 'action' && (action[1] === 'paste' || action[1] === 'write-chars')) {
  const dashes = action.indexOf('--');
  const early = action.slice(2, dashes === -1 ? undefined : dashes).filter((a, i, all) => a.startsWith('-') && a !== '--pane-id' && all[i - 1] !== '--pane-id');
  if (early.length > 0) { console.error("error: Found argument '" + early[0] + "' which wasn't expected, or isn't valid in this context"); process.exit(2); }
}
if (action[0] === 'action' && action[1] === 'list-panes') { process.stdout.write(env.FAKE_ZELLIJ_PANES || '[]'); process.exit(0); }
if (action[0] === 'action' && action[1] === 'dump-screen') { process.stdout.write('screen of ' + action[action.indexOf('--pane-id') + 1] + '\n'); process.exit(0); }
process.exit(0);
`;

function makeRecordingZellij(dir: string, version: string, panes: unknown = []) {
  const bin = path.join(dir, 'zellij-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'zellij'), `#!${process.execPath}\n${FAKE}`);
  chmodSync(path.join(bin, 'zellij'), 0o755);
  const log = path.join(dir, `zellij-${version}.jsonl`);
  return {
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      FAKE_ZELLIJ_VERSION: version,
      FAKE_ZELLIJ_LOG: log,
      FAKE_ZELLIJ_PANES: JSON.stringify(panes),
    },
    calls: (): string[][] =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
        : [],
  };
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
    const zellij = makeRecordingZellij(repo.parent, '0.44.0', PANES);
    const panes = new ZellijPanes(zellij.env);
    expect(await panes.listPanes('app-t')).toEqual([
      { id: 'terminal_1', title: 't-1 · standin · :4001', exited: false, exitStatus: null, cwd: '/w/t-1' },
      { id: 'terminal_2', title: 't-2 · standin · :4002', exited: true, exitStatus: 3, cwd: '/w/t-2' },
    ]);
    expect(await panes.dumpScreen('app-t', 'terminal_1')).toBe('screen of terminal_1\n');
    await panes.sendText('app-t', 'terminal_1', '-now add tests; $(touch x)');
    expect(zellij.calls()).toEqual([
      ['--version'],
      ['-s', 'app-t', 'action', 'list-panes', '--json'],
      ['-s', 'app-t', 'action', 'dump-screen', '--pane-id', 'terminal_1'],
      ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_1', '--', '-now add tests; $(touch x)'],
      ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_1', 'Enter'],
    ]);
  });

  it('before 0.44: no pane queries at all; typing goes to the focused pane with write-chars', async () => {
    const zellij = makeRecordingZellij(repo.parent, '0.43.1', PANES);
    const panes = new ZellijPanes(zellij.env);
    expect(await panes.canAddressPanes()).toBe(false);
    expect(await panes.listPanes('app-t')).toBeNull();
    expect(await panes.dumpScreen('app-t', 'terminal_1')).toBeNull();
    await panes.sendToFocusedPane('app-t', '--hello');
    expect(zellij.calls()).toEqual([
      ['--version'],
      ['-s', 'app-t', 'action', 'write-chars', '--', '--hello'],
      ['-s', 'app-t', 'action', 'write', '13'],
    ]);
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
      const created = await runCli(
        ['t', '-n', '2', '-p', 'go', '--mux', 'zellij', '--no-attach', '--trust'],
        {
          cwd: repo.root,
          env: makeRecordingZellij(repo.parent, version).env,
        },
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
      return makeRecordingZellij(repo.parent, version, panes);
    }

    it('send types into each candidate’s pane by id; status reads each pane', async () => {
      const zellij = await zellijRun('0.44.0');
      const sent = await runCli(['send', 't', 'now add tests'], { cwd: repo.root, env: zellij.env });
      expect(sent.code, sent.stderr).toBe(0);
      // send reads each screen first (issue 9: it refuses to type into a dialog).
      const beforeStatus = zellij.calls().length;
      const typing = zellij.calls().filter((argv) => argv.includes('paste') || argv.includes('send-keys'));
      expect(typing).toEqual([
        ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_11', '--', 'now add tests'],
        ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_11', 'Enter'],
        ['-s', 'app-t', 'action', 'paste', '--pane-id', 'terminal_12', '--', 'now add tests'],
        ['-s', 'app-t', 'action', 'send-keys', '--pane-id', 'terminal_12', 'Enter'],
      ]);

      const status = await runCli(['status', 't', '--json'], { cwd: repo.root, env: zellij.env });
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).candidates.map((c: { state: string }) => c.state)).toEqual([
        'starting',
        'starting',
      ]);
      const screens = zellij
        .calls()
        .slice(beforeStatus)
        .filter((argv) => argv.includes('dump-screen'));
      expect(screens.map((argv) => argv.at(-1)).sort()).toEqual(['terminal_11', 'terminal_12']);
      expect(existsSync(path.join(repo.root, '.git/parallel/t/activity/1.json'))).toBe(true);
    });

    it('before 0.44, send says it could only type into the focused pane', async () => {
      const zellij = await zellijRun('0.43.1');
      const sent = await runCli(['send', 't', 'now add tests'], { cwd: repo.root, env: zellij.env });
      expect(sent.code).toBe(0);
      expect(sent.stderr).toContain(
        'this Zellij cannot type into a chosen pane (that needs 0.44+): the text went to the FOCUSED pane of app-t only',
      );
      expect(zellij.calls().filter((argv) => argv.includes('write-chars'))).toEqual([
        ['-s', 'app-t', 'action', 'write-chars', '--', 'now add tests'],
      ]);
      expect(zellij.calls().some((argv) => argv.includes('list-panes'))).toBe(false);
    });
  });
});
