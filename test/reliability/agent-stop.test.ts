import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/core/types.js';
import { stopAgents } from '../../src/io/agent-stop.js';
import { NoMuxDriver } from '../../src/io/drivers.js';
import { writeAgentRecord } from '../../src/io/state.js';

/**
 * Issue 10 F4: ending a run's agents, with real processes. A short grace keeps the test quick; the
 * order (hang-up, wait, SIGTERM, wait, SIGKILL of the group) is the one rm and pick use.
 */
const TIMINGS = { graceMs: 400, termMs: 400, killMs: 3000 };

/** A Node program that starts a child in its own process group and handles signals as `script` says. */
const program = (script: string, withChild: boolean) => `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
${script}
// A child in the same group, as an agent's own tools are.
// It says it is ready once its handlers are in place (a signal before that would end it).
const child = 'process.on("SIGHUP", () => {}); process.on("SIGTERM", () => {}); require("node:fs").writeFileSync(process.env.READY, ""); setInterval(() => {}, 1000)';
if (${withChild}) spawn(process.execPath, ['-e', child], { stdio: 'ignore' });
else fs.writeFileSync(process.env.READY, '');
setInterval(() => {}, 1000);
`;

describe('stopAgents', () => {
  let dir: string;
  let children: ChildProcess[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-stop-'));
    children = [];
  });
  afterEach(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          // Gone.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const manifest = {
    task: 't',
    mux: { kind: 'none', session: null },
    // A worktree folder that is not a git worktree: there are no git locks to clear.
    candidates: [{ n: 1, worktree: tmpdir(), branch: 't-1' }],
  } as unknown as RunManifest;

  const start = async (script: string, options: { detached: boolean }) => {
    const ready = path.join(dir, `ready-${children.length}`);
    // Only a process in its own group gets a child: one in this group would outlive the test.
    const child = spawn(process.execPath, ['-e', program(script, options.detached)], {
      detached: options.detached,
      stdio: 'ignore',
      env: { ...process.env, READY: ready, OUT: path.join(dir, 'out.txt') },
    });
    children.push(child);
    while (!existsSync(ready)) await sleep(20);
    return child;
  };
  /** Whether a process of the group is alive; zombies (ended, waiting to be collected) do not count. */
  const groupAlive = (pgid: number) =>
    execFileSync('ps', ['-A', '-o', 'pgid=,stat='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .some(([group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'));

  it('waits for an agent that writes as it is hung up, then kills the child it left in its group', async () => {
    const child = await start(
      `process.on('SIGHUP', () => { fs.writeFileSync(process.env.OUT, 'written at hang-up'); process.exit(0); });`,
      { detached: true },
    );
    await writeAgentRecord(dir, 1, { pid: child.pid!, startedAt: new Date().toISOString() });
    const result = await stopAgents(manifest, dir, new NoMuxDriver(), process.env, TIMINGS);
    expect(readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('written at hang-up');
    // The agent left, but its child in the group ignores SIGHUP and SIGTERM: the group is killed.
    expect(result).toEqual({ stopped: [1], forced: [1], survivors: [] });
    expect(groupAlive(child.pid!)).toBe(false);
  });

  it('terminates, then kills, the whole group of an agent that ignores the hang-up and SIGTERM', async () => {
    const child = await start(`process.on('SIGHUP', () => {}); process.on('SIGTERM', () => {});`, {
      detached: true,
    });
    await writeAgentRecord(dir, 1, { pid: child.pid!, startedAt: new Date().toISOString() });
    const started = Date.now();
    const result = await stopAgents(manifest, dir, new NoMuxDriver(), process.env, TIMINGS);
    expect(result).toEqual({ stopped: [1], forced: [1], survivors: [] });
    expect(groupAlive(child.pid!)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMINGS.graceMs + TIMINGS.termMs);
  });

  it('leaves alone a pid that started after the record (a reused pid) and an agent that exited', async () => {
    const child = await start(`process.on('SIGHUP', () => {});`, { detached: true });
    await writeAgentRecord(dir, 1, {
      pid: child.pid!,
      startedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(await stopAgents(manifest, dir, new NoMuxDriver(), process.env, TIMINGS)).toEqual({
      stopped: [],
      forced: [],
      survivors: [],
    });
    const exited = {
      pid: child.pid!,
      startedAt: new Date().toISOString(),
      exit: { code: 0, signal: null, at: '' },
    };
    await writeAgentRecord(dir, 1, exited);
    expect(await stopAgents(manifest, dir, new NoMuxDriver(), process.env, TIMINGS)).toEqual({
      stopped: [],
      forced: [],
      survivors: [],
    });
    expect(groupAlive(child.pid!)).toBe(true);
  });

  it('signals only the agent, never the group, when the agent shares this process’s group', async () => {
    const child = await start(`process.on('SIGHUP', () => process.exit(0));`, { detached: false });
    await writeAgentRecord(dir, 1, { pid: child.pid!, startedAt: new Date().toISOString() });
    const result = await stopAgents(manifest, dir, new NoMuxDriver(), process.env, TIMINGS);
    // This test process is in that group and is still here; the agent is gone.
    expect(result.stopped).toEqual([1]);
    expect(result.survivors).toEqual([]);
    await sleep(50);
    expect(child.exitCode ?? child.signalCode).not.toBeNull();
  });
});
