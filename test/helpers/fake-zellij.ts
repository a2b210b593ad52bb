import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A stand-in for the `zellij` executable (Zellij is not installable here) that behaves as the version
 * it is told to be (FAKE_ZELLIJ_VERSION), as read in zellij's source at tags v0.39.2 … v0.45.0. Put
 * `bin` first on PATH. Every call appends `{argv, env}` to a log, and a session table in a JSON file
 * stands for the servers. What it models, by version:
 *
 * | behaviour                                                   | 0.39 | 0.40.0 | 0.40.1 | 0.41–0.43 | 0.44.0 | 0.44.1+ / 0.45 |
 * |-------------------------------------------------------------|------|--------|--------|-----------|--------|----------------|
 * | `attach -b … options --default-layout L` applies L          |  no  |   no   |  yes   |    yes    |  yes   |      yes       |
 * | `action list-clients`                                       |  no  |   no   |  yes   |    yes    |  yes   |      yes       |
 * | `action new-tab --layout` with several tabs                 |  no  |   no   |   no   |    yes    |  yes   |      yes       |
 * | `write-chars`/`write` with no client attached: nothing, exit 0 | yes | yes  |  yes   |    yes    |   no   |       no       |
 * | `list-panes`, `dump-screen`, `paste`, `send-keys`, `switch-session`, `close-tab-by-id`; `new-tab` prints tab ids | no | no | no | no | yes | yes |
 * | `action new-pane` with no client attached places the pane (else: nothing, exit 0) | no | no | no | no | yes | yes |
 * | socket folder's last part                                   |       version (`0.43.1`)            ||||  `contract_version_1`  ||
 * | socket path ≥ 108 bytes (104 on macOS): `attach -b`          |             hangs forever                    |||||  exit 1, "IPC socket path is too long" |
 *
 * The socket folder is ZELLIJ_SOCKET_DIR, else $XDG_RUNTIME_DIR/zellij (not on macOS), else
 * $TMPDIR/zellij-UID (zellij-utils/src/consts.rs); FAKE_ZELLIJ_PLATFORM=darwin plays macOS.
 *
 * On every version: `kill-session` returns before the server is gone (it stays listed, and `attach -b`
 * of its name joins it, for FAKE_ZELLIJ_KILL_MS, default 300 ms; then it is resurrectable, EXITED);
 * the server re-reads the layout file after the `attach -b` client exits (here: on the next call), and
 * falls back to the default layout (`layout: null`) when it cannot read one; a background session's
 * panes run at 50×50 until a client attaches (`size`); `attach NAME` of a name that is gone attaches to
 * the one session whose name starts with it; text that starts with `-` before a `--` is an unknown
 * option to `paste` and `write-chars` (no allow_hyphen_values).
 */
export interface FakeSession {
  exited: boolean;
  /** The layout text the server runs, null for zellij's default layout. */
  layout: string | null;
  /** Attached clients (a background session has none). */
  clients?: number;
  /** Tabs added with `action new-tab` (id and name). */
  tabs?: { id: number; name: string | null }[];
  /** What was typed into the session's panes, in order (`pane` null: the focused one). */
  typed?: { pane: string | null; text: string }[];
  /** Panes added with `action new-pane` (its --name, --cwd and the command after `--`). */
  opened?: { id: number; name: string | null; cwd: string | null; command: string[] }[];
  /** What `action list-panes --json` prints (0.44+). */
  panes?: unknown[];
  /** The terminal size the server lays the panes out in. */
  size?: { rows: number; cols: number };
  layoutFile?: string;
  /** The server has yet to re-read its layout file. */
  reread?: boolean;
  /** Killed: still running until this time (ms since the epoch). */
  dyingUntil?: number;
  deleted?: boolean;
}

export interface FakeZellij {
  bin: string;
  env: Record<string, string>;
  calls(): { argv: string[]; env: Record<string, string | undefined> }[];
  sessions(): Record<string, FakeSession>;
  setSessions(sessions: Record<string, FakeSession>): void;
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
const env = process.env;
fs.appendFileSync(env.FAKE_ZELLIJ_LOG, JSON.stringify({ argv, env: { ZELLIJ: env.ZELLIJ, ZELLIJ_SESSION_NAME: env.ZELLIJ_SESSION_NAME } }) + '\n');

// The version table.
const V = env.FAKE_ZELLIJ_VERSION.split('.').map(Number);
const at = (...min) => { for (let i = 0; i < 3; i++) if ((V[i] || 0) !== min[i]) return (V[i] || 0) > min[i]; return true; };
const F = {
  backgroundLayout: at(0, 40, 1),
  listClients: at(0, 40, 1),
  multiTabNewTab: at(0, 41, 0),
  v44: at(0, 44, 0),
  socketPathError: at(0, 44, 1),
};
const platform = env.FAKE_ZELLIJ_PLATFORM || process.platform;
const sockLimit = platform === 'darwin' ? 104 : 108;
const sockDir = path.join(
  env.ZELLIJ_SOCKET_DIR ||
    (platform !== 'darwin' && env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/')
      ? path.join(env.XDG_RUNTIME_DIR, 'zellij')
      : path.join(env.TMPDIR || '/tmp', 'zellij-' + process.getuid())),
  F.v44 ? 'contract_version_1' : env.FAKE_ZELLIJ_VERSION,
);

const stateFile = env.FAKE_ZELLIJ_STATE;
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
// Atomic, and only when something changed: calls run at once (status reads every pane in parallel).
const save = () => { const tmp = stateFile + '.' + process.pid; fs.writeFileSync(tmp, JSON.stringify(state)); fs.renameSync(tmp, stateFile); };
const fail = (message, code = 1) => { console.error(message); process.exit(code); };
const clap = (word) => fail("error: Found argument '" + word + "' which wasn't expected, or isn't valid in this context", 2);
const readLayout = (file) => { try { const text = fs.readFileSync(file, 'utf8'); return /^\s*layout\b/m.test(text) ? text : null; } catch { return null; } };

// What the servers did since the last call: killed ones finish dying; new ones re-read their layout.
const now = Date.now();
let settled = false;
for (const [name, s] of Object.entries(state)) {
  if (s.dyingUntil !== undefined && now >= s.dyingUntil) {
    settled = true;
    if (s.deleted) { delete state[name]; continue; }
    delete s.dyingUntil; s.exited = true; s.clients = 0;
  }
  if (s.reread) { settled = true; delete s.reread; if (!s.exited) s.layout = readLayout(s.layoutFile); }
}
if (settled) save();
const live = (name) => state[name] !== undefined && !state[name].exited;

if (argv[0] === '--version') { console.log('zellij ' + env.FAKE_ZELLIJ_VERSION); process.exit(0); }
if (argv[0] === 'list-sessions') {
  const names = Object.keys(state);
  if (names.length === 0) fail('No active zellij sessions found.');
  for (const name of names) console.log(name + ' [Created 1m ago]' + (state[name].exited ? ' (EXITED - attach to resurrect)' : ''));
  process.exit(0);
}
if (argv[0] === 'attach' && (argv[1] === '--create-background' || argv[1] === '-b')) {
  const name = argv[2];
  const socket = path.join(sockDir, name);
  if (Buffer.byteLength(socket) >= sockLimit) {
    if (F.socketPathError) fail('Error: the IPC socket path is too long (' + Buffer.byteLength(socket) + ' bytes, max ' + (sockLimit - 1) + '):\n  ' + socket + '\n\nThis is usually caused by a long $TMPDIR path.');
    // The client retries the connection every 50 ms forever (zellij issues #3213, #4627); here for two
    // minutes at most, so that a test of code without a timeout leaves nothing behind for long.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
    process.exit(124);
  } else {
    if (live(name)) process.exit(0); // joins the running (or still dying) server: no new layout
    if (state[name] && state[name].exited) { state[name].exited = false; save(); process.exit(0); } // resurrected, with its own layout
    const layoutFile = argv[argv.indexOf('--default-layout') + 1];
    const applies = F.backgroundLayout && argv.includes('--default-layout');
    state[name] = { exited: false, layout: applies ? readLayout(layoutFile) : null, clients: 0, size: { rows: 50, cols: 50 } };
    if (applies) { state[name].layoutFile = layoutFile; state[name].reread = true; }
    save(); process.exit(0);
  }
}
if (argv[0] === 'attach') {
  // Exact name, else the one session whose name starts with it (zellij-utils/src/sessions.rs match_session_name).
  const name = state[argv[1]] ? argv[1] : (() => { const m = Object.keys(state).filter((n) => n.startsWith(argv[1])); return m.length === 1 ? m[0] : null; })();
  if (name === null) fail('No session with the name ' + argv[1] + ' found!');
  state[name].exited = false; state[name].size = { rows: 40, cols: 120 }; save();
  console.log('attached to ' + name);
  process.exit(0);
}
if (argv[0] === 'kill-session') {
  const name = argv[1];
  if (!live(name)) fail('No session named ' + name + ' found');
  state[name].dyingUntil = state[name].dyingUntil ?? now + Number(env.FAKE_ZELLIJ_KILL_MS || 300); save(); process.exit(0);
}
if (argv[0] === 'delete-session') {
  const name = argv[argv.length - 1];
  if (!state[name]) fail('No session named ' + name + ' found');
  if (live(name)) {
    if (!argv.includes('--force')) fail('Session: "' + name + '" is running. To kill it use --force');
    state[name].dyingUntil = state[name].dyingUntil ?? now + Number(env.FAKE_ZELLIJ_KILL_MS || 300);
    state[name].deleted = true; save(); process.exit(0);
  }
  delete state[name]; save(); process.exit(0);
}

let rest = argv;
let target = env.ZELLIJ_SESSION_NAME;
if (rest[0] === '-s' || rest[0] === '--session') { target = rest[1]; rest = rest.slice(2); }
if (rest[0] !== 'action') fail('fake zellij: unhandled ' + JSON.stringify(argv));
const act = rest[1];
const args = rest.slice(2);
const since44 = ['list-panes', 'dump-screen', 'paste', 'send-keys', 'switch-session', 'close-tab-by-id'];
if (act === 'list-clients' && !F.listClients) clap(act);
if (since44.includes(act) && !F.v44) clap(act);
if (!target || !live(target)) fail('There is no active session!');
const session = state[target];
const option = (name) => { const i = args.indexOf(name); return i === -1 ? null : args[i + 1]; };
if (act === 'paste' || act === 'write-chars') {
  const dashes = args.indexOf('--');
  const early = args.slice(0, dashes === -1 ? undefined : dashes).filter((a, i, all) => a.startsWith('-') && a !== '--pane-id' && all[i - 1] !== '--pane-id');
  if (early.length > 0) clap(early[0]);
}
const type = (text) => {
  // Before 0.44 typing goes through a connected client: with none, nothing happens, and it exits 0.
  if (!F.v44 && !(session.clients > 0)) process.exit(0);
  (session.typed = session.typed || []).push({ pane: option('--pane-id'), text }); save(); process.exit(0);
};
if (act === 'write-chars' || act === 'paste') type(args[args.length - 1]);
if (act === 'write') type(String.fromCharCode(...args.map(Number)));
if (act === 'send-keys') type('<' + args[args.length - 1] + '>');
if (act === 'list-clients') {
  console.log('CLIENT_ID ZELLIJ_PANE_ID RUNNING_COMMAND');
  for (let i = 1; i <= (session.clients || 0); i++) console.log(String(i).padEnd(9) + ' ' + 'terminal_0'.padEnd(14) + ' N/A');
  process.exit(0);
}
if (act === 'list-panes') { process.stdout.write(JSON.stringify(session.panes || [])); process.exit(0); }
if (act === 'dump-screen') { process.stdout.write('screen of ' + option('--pane-id') + ' at ' + session.size.rows + 'x' + session.size.cols + '\n'); process.exit(0); }
if (act === 'switch-session') process.exit(live(args[0]) ? 0 : 1);
if (act === 'new-tab') {
  const text = readLayout(option('--layout'));
  if (text === null) fail('Failed to parse layout');
  const tabs = Math.max(1, (text.match(/^\s*tab\b/gm) || []).length);
  if (tabs > 1 && !F.multiTabNewTab) fail('Tab layout cannot itself have tabs');
  session.tabs = session.tabs || [];
  for (let i = 0; i < tabs; i++) {
    const id = session.tabs.reduce((max, t) => Math.max(max, t.id), 0) + 1;
    session.tabs.push({ id, name: option('--name') });
    if (F.v44) console.log(String(id));
  }
  save(); process.exit(0);
}
if (act === 'new-pane') {
  // zellij-utils/src/cli.rs NewPane (0.40–0.45): --name/-n, --cwd, --direction/-d, and the command after
  // \`--\`. Before 0.44 the server places it in the active tab of a connected client, and with none logs
  // "No client ids in screen found" and places nothing (exit 0); 0.44+ falls back to the first tab and
  // prints the new pane's id.
  const dashes = args.indexOf('--');
  const flags = dashes === -1 ? args : args.slice(0, dashes);
  const known = ['--name', '-n', '--cwd', '--direction', '-d'];
  for (let i = 0; i < flags.length; i += 2) if (!known.includes(flags[i])) clap(flags[i]);
  if (!F.v44 && !(session.clients > 0)) process.exit(0);
  const opened = (session.opened = session.opened || []);
  const id = 100 + opened.length;
  opened.push({ id, name: option('--name') ?? option('-n'), cwd: option('--cwd'), command: dashes === -1 ? [] : args.slice(dashes + 1) });
  save();
  if (F.v44) console.log('terminal_' + id);
  process.exit(0);
}
if (act === 'close-tab-by-id') { session.tabs = (session.tabs || []).filter((t) => t.id !== Number(args[0])); save(); process.exit(0); }
clap(act);
`;

export function makeFakeZellij(
  dir: string,
  version: string,
  extraEnv: Record<string, string> = {},
): FakeZellij {
  const bin = path.join(dir, 'fake-zellij-bin');
  mkdirSync(bin, { recursive: true });
  const log = path.join(dir, 'zellij-calls.jsonl');
  const state = path.join(dir, 'zellij-sessions.json');
  writeFileSync(path.join(bin, 'zellij'), `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(path.join(bin, 'zellij'), 0o755);
  return {
    bin,
    env: {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      FAKE_ZELLIJ_VERSION: version,
      FAKE_ZELLIJ_LOG: log,
      FAKE_ZELLIJ_STATE: state,
      ...extraEnv,
    },
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
        : [],
    sessions: () => (existsSync(state) ? JSON.parse(readFileSync(state, 'utf8')) : {}),
    setSessions: (sessions) => writeFileSync(state, JSON.stringify(sessions)),
  };
}
