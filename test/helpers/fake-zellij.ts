import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A recording stand-in for the `zellij` executable (Zellij is not installable here). Put `bin` first on
 * PATH: every call appends `{argv, cwd, env}` to a log; `--version` answers FAKE_ZELLIJ_VERSION; and it
 * keeps a tiny session table so list-sessions / attach -b / kill-session / delete-session behave like
 * Zellij's (research/multiplexers.md §1.5). The layout a session was created with is copied aside so
 * tests can parse what Zellij would have read.
 */
export interface FakeZellij {
  bin: string;
  env: Record<string, string>;
  calls(): { argv: string[]; env: Record<string, string | undefined> }[];
  sessions(): Record<string, { exited: boolean; layout: string | null }>;
  setSessions(sessions: Record<string, { exited: boolean; layout: string | null }>): void;
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const argv = process.argv.slice(2);
const env = process.env;
fs.appendFileSync(env.FAKE_ZELLIJ_LOG, JSON.stringify({ argv, env: { ZELLIJ: env.ZELLIJ, ZELLIJ_SESSION_NAME: env.ZELLIJ_SESSION_NAME } }) + '\n');
const stateFile = env.FAKE_ZELLIJ_STATE;
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
if (argv[0] === '--version') { console.log('zellij ' + env.FAKE_ZELLIJ_VERSION); process.exit(0); }
if (argv[0] === 'list-sessions') {
  const names = Object.keys(state);
  if (names.length === 0) { console.error('No active zellij sessions found.'); process.exit(1); }
  for (const name of names) console.log(name + ' [Created 1m ago]' + (state[name].exited ? ' (EXITED - attach to resurrect)' : ''));
  process.exit(0);
}
if (argv[0] === 'attach' && argv[1] === '--create-background') {
  const name = argv[2];
  const layoutFile = argv[argv.indexOf('--default-layout') + 1];
  state[name] = { exited: false, layout: fs.readFileSync(layoutFile, 'utf8') };
  save(); process.exit(0);
}
if (argv[0] === 'kill-session') {
  if (!state[argv[1]] || state[argv[1]].exited) { console.error('No session named ' + argv[1] + ' found'); process.exit(1); }
  state[argv[1]].exited = true; save(); process.exit(0);
}
if (argv[0] === 'delete-session') {
  const name = argv[argv.length - 1];
  if (!state[name]) { console.error('No session named ' + name + ' found'); process.exit(1); }
  delete state[name]; save(); process.exit(0);
}
if (argv[0] === 'action' && argv[1] === 'switch-session') { process.exit(state[argv[2]] ? 0 : 1); }
if (argv[0] === 'action' && argv[1] === 'new-tab') { process.exit(0); }
if (argv[0] === 'attach') { process.exit(state[argv[1]] ? 0 : 1); }
console.error('fake zellij: unhandled ' + JSON.stringify(argv));
process.exit(2);
`;

export function makeFakeZellij(dir: string, version: string): FakeZellij {
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
