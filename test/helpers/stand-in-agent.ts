import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A stand-in for a coding agent: a small executable that records what it was given (argv, cwd,
 * environment, stdin) as JSON in `<recordDir>/agent-<GIT_PARALLEL_INDEX>.json`, then behaves as told by
 * STANDIN_* variables: print, sleep, commit, leave files, and exit with a code. No real agent runs.
 */
export interface StandIn {
  command: string;
  recordDir: string;
  /** The config entry for it: `{ agents: { standin: definition } }`. */
  definition: Record<string, unknown>;
  record(n: number): StandInRecord;
  waitForRecords(count: number, timeoutMs?: number): Promise<StandInRecord[]>;
}

export interface StandInRecord {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string | null;
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const env = process.env;
let stdin = null;
if (env.STANDIN_READ_STDIN === '1') stdin = fs.readFileSync(0, 'utf8');
const record = { argv: process.argv.slice(2), cwd: process.cwd(), env: { ...env }, stdin };
const dir = env.STANDIN_RECORD_DIR;
const file = path.join(dir, 'agent-' + (env.GIT_PARALLEL_INDEX || 'x') + '.json');
fs.writeFileSync(file + '.tmp', JSON.stringify(record));
fs.renameSync(file + '.tmp', file);
if (env.STANDIN_PRINT) process.stdout.write(env.STANDIN_PRINT + '\n');
if (env.STANDIN_COMMIT === '1') {
  fs.writeFileSync('agent-' + env.GIT_PARALLEL_INDEX + '.txt', 'work of agent ' + env.GIT_PARALLEL_INDEX + '\n');
  execFileSync('git', ['add', '-A']);
  execFileSync('git', ['commit', '-q', '-m', 'agent ' + env.GIT_PARALLEL_INDEX]);
}
if (env.STANDIN_UNTRACKED === '1') fs.writeFileSync('scratch-' + env.GIT_PARALLEL_INDEX + '.txt', 'untracked\n');
const sleepMs = Number(env.STANDIN_SLEEP_MS || 0);
setTimeout(() => process.exit(Number(env.STANDIN_EXIT || 0)), sleepMs);
`;

export function makeStandIn(dir: string, extraEnv: Record<string, string> = {}): StandIn {
  const recordDir = path.join(dir, 'records');
  mkdirSync(recordDir, { recursive: true });
  const command = path.join(dir, 'stand-in-agent');
  writeFileSync(command, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(command, 0o755);
  const record = (n: number): StandInRecord => JSON.parse(readFileSync(path.join(recordDir, `agent-${n}.json`), 'utf8'));
  return {
    command,
    recordDir,
    definition: { command, prompt: 'positional', env: { STANDIN_RECORD_DIR: recordDir, ...extraEnv } },
    record,
    waitForRecords: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      const files = () => Array.from({ length: count }, (_, i) => path.join(recordDir, `agent-${i + 1}.json`));
      while (!files().every((f) => existsSync(f))) {
        if (Date.now() > deadline) throw new Error(`stand-in agents did not all start within ${timeoutMs} ms`);
        await sleep(50);
      }
      return Array.from({ length: count }, (_, i) => record(i + 1));
    },
  };
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
