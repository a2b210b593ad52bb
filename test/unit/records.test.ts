import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHookEvent } from '../../src/io/agent-hooks.js';
import { readCallerEnv } from '../../src/io/caller-env.js';
import { readChecks } from '../../src/io/checks.js';
import { readResources, readSetupFailure } from '../../src/io/prepared-state.js';
import { DamagedRecord } from '../../src/io/records.js';
import { readVerdict } from '../../src/io/review-state.js';
import { readAgentRecord, readManifest } from '../../src/io/state.js';
import { isApproved, trustStorePath } from '../../src/io/trust.js';
import { findMarkedWorktrees } from '../../src/io/worktree-marks.js';
import { createLiveLines } from '../../src/output/live-progress.js';

/** Issue 15 item 5: every record of a run's state folder is read one way. */
describe('the records of a run', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'gp-records-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  const folder = () => {
    const dir = path.join(root, 'parallel', `t${++count}`);
    mkdirSync(path.join(dir, 'agents'), { recursive: true });
    return dir;
  };

  const readers: [string, string, (dir: string) => Promise<unknown>][] = [
    ['agents/1.json', 'agent record', (dir) => readAgentRecord(dir, 1)],
    ['resources.json', 'resources', readResources],
    ['agents/1.setup.json', 'setup failure', (dir) => readSetupFailure(dir, 1)],
    ['checks.json', 'check results', readChecks],
  ];

  it.each(readers)('%s (%s): missing is null', async (_file, _what, read) => {
    expect(await read(folder())).toBeNull();
  });

  it.each(readers)('%s (%s): damaged is an error naming it, on one line', async (file, _what, read) => {
    for (const text of ['{"pid": 4', '[1, 2]', '{"hooks": {"preRemove": [1]}, "timeout": 5}']) {
      const dir = folder();
      writeFileSync(path.join(dir, file), text);
      const error = await read(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DamagedRecord);
      const message = (error as DamagedRecord).message;
      expect(message.startsWith(`${path.join(dir, file)} is damaged: it `)).toBe(true);
      expect(message).not.toContain('\n');
      expect((error as DamagedRecord).exitCode).toBe(2);
    }
  });

  it('caller-env.json: missing is no variables, damaged is an error naming it, on one line', async () => {
    expect(await readCallerEnv(folder())).toEqual({});
    for (const text of ['{"PATH": "/bin"', '["PATH"]', '{"PATH": 1}']) {
      const dir = folder();
      writeFileSync(path.join(dir, 'caller-env.json'), text);
      const error = await readCallerEnv(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DamagedRecord);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${path.join(dir, 'caller-env.json')} is damaged: it [^\\n]+; delete it to start the agents`,
        ),
      );
    }
  });

  it('agents/1.event.json: damaged reads as none (status then reads the screen; the next hook rewrites it)', async () => {
    const at = '2026-01-02T03:04:05.000Z';
    for (const text of [
      '{"event": "done"',
      '{"event": "done", "at": "soon"}',
      `{"event": "stopped", "at": "${at}"}`,
    ]) {
      const dir = folder();
      writeFileSync(path.join(dir, 'agents', '1.event.json'), text);
      expect(await readHookEvent(dir, 1)).toBeNull();
    }
    const dir = folder();
    writeFileSync(
      path.join(dir, 'agents', '1.event.json'),
      `{"event": "waiting", "at": "${at}", "message": "Bash?"}`,
    );
    expect(await readHookEvent(dir, 1)).toEqual({ event: 'waiting', at: new Date(at), message: 'Bash?' });
  });

  it('reads what was written whole', async () => {
    const dir = folder();
    const resources = { hooks: { preRemove: ['a'], postRemove: [] }, timeout: 5, postgres: null };
    writeFileSync(path.join(dir, 'resources.json'), JSON.stringify(resources));
    expect(await readResources(dir)).toEqual(resources);
  });

  it('shows a damaged run.json and review.json instead of stopping, naming the file', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'run.json'), '{"version": 1,\n "task":');
    expect((await readManifest(path.dirname(path.dirname(dir)), path.basename(dir)))?.problem).toMatch(
      /^run\.json is not valid JSON \([^\n]+\)$/,
    );
    writeFileSync(path.join(dir, 'review.json'), '{"schemaVersion": 2}');
    expect(await readVerdict(dir)).toEqual({
      verdict: null,
      problem: 'review.json is not a verdict of this version',
    });
  });
});

/** Issue 15 item 5: the records git-parallel keeps outside a run's state folder are read the same way. */
describe('the records kept elsewhere', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'gp-records-elsewhere-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  const place = () => path.join(root, `p${++count}`);

  it('a worktree mark that cannot be used is left out, not guessed at', async () => {
    const commonDir = place();
    const marks: Record<string, string> = {
      good: '{"task": "t", "n": 1, "branch": "parallel/t-1", "worktree": "/w/t-1"}',
      cut: '{"task": "t", "n": 2, "bra',
      nobranch: '{"task": "t", "n": 3, "worktree": "/w/t-3"}',
      text: '{"task": "t", "n": "4", "branch": "parallel/t-4", "worktree": "/w/t-4"}',
    };
    for (const [id, text] of Object.entries(marks)) {
      mkdirSync(path.join(commonDir, 'worktrees', id), { recursive: true });
      writeFileSync(path.join(commonDir, 'worktrees', id, 'git-parallel.json'), text);
    }
    expect(await findMarkedWorktrees(commonDir, 't')).toEqual([
      { task: 't', n: 1, branch: 'parallel/t-1', worktree: '/w/t-1' },
    ]);
  });

  it('a damaged trust store stops the check, naming the file and how to recover', async () => {
    const subject = {
      repository: '/r',
      file: null,
      commands: [{ key: 'setup[0]', command: 'npm test' }],
      hash: 'h',
    };
    for (const text of [
      '{"version": 1,',
      '{"version": 1, "repositories": {"/r": "h"}}',
      '{"version": 2, "repositories": {}}',
    ]) {
      const env = { XDG_CONFIG_HOME: place() };
      mkdirSync(path.dirname(trustStorePath(env)), { recursive: true });
      writeFileSync(trustStorePath(env), text);
      const error = await isApproved(env, subject).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DamagedRecord);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${trustStorePath(env)} is damaged: it [^\n]+; fix it or delete it \\(every repository then asks again\\)$`,
        ),
      );
    }
  });
});

describe('createLiveLines', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, isTTY, columns: 20, write: (text: string) => written.push(text) > 0 };
  };

  it('elsewhere than a terminal, writes one line per change', () => {
    const out = stream(false);
    const lines = createLiveLines(['t-1', 't-10'], { stream: out as never, live: false });
    lines.update('t-1', 'installing');
    lines.update('t-1', 'installing');
    lines.update('t-10', 'done');
    lines.finish();
    expect(out.written.join('')).toBe('  t-1   installing\n  t-10  done\n');
  });

  it('on a terminal, redraws every line in place, cut to the width of the screen', () => {
    const out = stream(true);
    const lines = createLiveLines(['t-1', 't-2'], { stream: out as never, live: true });
    lines.update('t-1', 'installing dependencies');
    lines.update('t-2', 'done');
    expect(out.written).toEqual([
      '\x1b[2K  t-1  installing d\n\x1b[2K  t-2  waiting\n',
      '\x1b[2A\x1b[2K  t-1  installing d\n\x1b[2K  t-2  done\n',
    ]);
  });
});
