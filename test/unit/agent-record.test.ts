import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentRecord, writeAgentRecord } from '../../src/io/state.js';

describe('writeAgentRecord', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'gp-record-'));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("records an agent in its run's state folder", async () => {
    await writeAgentRecord(root, 1, { pid: 42, startedAt: '2026-12-02T00:00:00.000Z' });
    expect((await readAgentRecord(root, 1))?.pid).toBe(42);
  });

  it('never recreates a state folder that is gone (a removed run, a moved repository)', async () => {
    const gone = path.join(root, 'repo', '.git', 'parallel', 't');
    await writeAgentRecord(gone, 1, { pid: 42, startedAt: '2026-12-02T00:00:00.000Z' });
    expect(existsSync(path.join(root, 'repo'))).toBe(false);
  });
});
