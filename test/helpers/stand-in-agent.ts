import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A stand-in for a coding agent: a small executable that records what it was given (argv, cwd,
 * environment, stdin) as JSON in `<recordDir>/agent-<GIT_PARALLEL_INDEX>.json`, then behaves as told by
 * STANDIN_* variables: print, sleep, commit, leave files, and exit with a code. No real agent runs.
 *
 * In the order they act: STANDIN_PRINT (a line on stdout); STANDIN_WRITE (a JSON object of path → content,
 * written into the worktree); STANDIN_COMMIT=1 (commits agent-<n>.txt and everything written so far);
 * STANDIN_MODIFY=<path> (appends a line to that file and leaves it uncommitted); STANDIN_UNTRACKED=1
 * (leaves scratch-<n>.txt untracked); STANDIN_HOOK=<Event,…> (runs the worktree's Claude Code hooks for
 * those events, as Claude Code would, with STANDIN_HOOK_MESSAGE as the notification text);
 * STANDIN_CODEX_NOTIFY=1 (runs the `-c notify=[…]` program of its argv as Codex does at a turn's end);
 * STANDIN_TICK_MS (prints a new line every so often); STANDIN_READ_INPUT=1 (records each line typed into its
 * terminal in records/input-<n>.txt); STANDIN_SLEEP_MS; STANDIN_EXIT (the exit code).
 */
export interface StandIn {
  command: string;
  recordDir: string;
  /** The config entry for it: `{ agents: { standin: definition } }`. */
  definition: Record<string, unknown>;
  /** The definition with more STANDIN_* (or other) variables: one stand-in, several behaviours. */
  defineWith(env: Record<string, string>): Record<string, unknown>;
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
if (env.STANDIN_WRITE) {
  for (const [file, content] of Object.entries(JSON.parse(env.STANDIN_WRITE))) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
if (env.STANDIN_COMMIT === '1') {
  fs.writeFileSync('agent-' + env.GIT_PARALLEL_INDEX + '.txt', 'work of agent ' + env.GIT_PARALLEL_INDEX + '\n');
  execFileSync('git', ['add', '-A']);
  execFileSync('git', ['commit', '-q', '-m', 'agent ' + env.GIT_PARALLEL_INDEX]);
}
if (env.STANDIN_MODIFY) fs.appendFileSync(env.STANDIN_MODIFY, 'changed by agent ' + env.GIT_PARALLEL_INDEX + '\n');
if (env.STANDIN_UNTRACKED === '1') fs.writeFileSync('scratch-' + env.GIT_PARALLEL_INDEX + '.txt', 'untracked\n');
if (env.STANDIN_HOOK) {
  // What Claude Code does for these events: run each command hook of .claude/settings.local.json through
  // a shell, with the event's JSON on stdin.
  const settings = JSON.parse(fs.readFileSync('.claude/settings.local.json', 'utf8'));
  for (const event of env.STANDIN_HOOK.split(',')) {
    for (const group of (settings.hooks && settings.hooks[event]) || []) {
      for (const hook of group.hooks) {
        const payload = { hook_event_name: event, cwd: process.cwd(), message: env.STANDIN_HOOK_MESSAGE || undefined };
        execFileSync('/bin/sh', ['-c', hook.command], { input: JSON.stringify(payload) });
      }
    }
  }
}
if (env.STANDIN_CODEX_NOTIFY === '1') {
  // What Codex does when a turn ends: run the notify argv given as "-c notify=[…]" with the JSON payload
  // as one more argument (the TOML strings here are JSON-compatible).
  const value = process.argv.find((a, i) => process.argv[i - 1] === '-c' && a.startsWith('notify='));
  const [program, ...args] = JSON.parse(value.slice('notify='.length));
  execFileSync(program, [...args, JSON.stringify({ type: 'agent-turn-complete', 'last-assistant-message': 'done' })]);
}
if (env.STANDIN_TICK_MS) {
  let tick = 0;
  setInterval(() => process.stdout.write('tick ' + ++tick + '\n'), Number(env.STANDIN_TICK_MS));
}
if (env.STANDIN_READ_INPUT === '1') {
  // Every line typed into its terminal (what git parallel send types) goes to records/input-<n>.txt.
  const inputFile = path.join(dir, 'input-' + env.GIT_PARALLEL_INDEX + '.txt');
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    for (let end = pending.search(/[\r\n]/); end >= 0; end = pending.search(/[\r\n]/)) {
      fs.appendFileSync(inputFile, pending.slice(0, end) + '\n');
      pending = pending.slice(end + 1);
    }
  });
}
const sleepMs = Number(env.STANDIN_SLEEP_MS || 0);
setTimeout(() => process.exit(Number(env.STANDIN_EXIT || 0)), sleepMs);
`;

export function makeStandIn(dir: string, extraEnv: Record<string, string> = {}): StandIn {
  const recordDir = path.join(dir, 'records');
  mkdirSync(recordDir, { recursive: true });
  const command = path.join(dir, 'stand-in-agent');
  writeFileSync(command, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(command, 0o755);
  const record = (n: number): StandInRecord =>
    JSON.parse(readFileSync(path.join(recordDir, `agent-${n}.json`), 'utf8'));
  return {
    command,
    recordDir,
    definition: { command, prompt: 'positional', env: { STANDIN_RECORD_DIR: recordDir, ...extraEnv } },
    defineWith: (env) => ({
      command,
      prompt: 'positional',
      env: { STANDIN_RECORD_DIR: recordDir, ...extraEnv, ...env },
    }),
    record,
    waitForRecords: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      const files = () =>
        Array.from({ length: count }, (_, i) => path.join(recordDir, `agent-${i + 1}.json`));
      while (!files().every((f) => existsSync(f))) {
        if (Date.now() > deadline)
          throw new Error(`stand-in agents did not all start within ${timeoutMs} ms`);
        await sleep(50);
      }
      return Array.from({ length: count }, (_, i) => record(i + 1));
    },
  };
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
