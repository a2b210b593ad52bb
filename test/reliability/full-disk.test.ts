import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace, worldOf } from '../helpers/workspace.js';
import { folderHash } from './probe.js';
import { reliabilityTally } from './tally.js';

const SCENARIOS = 4;
const tally = reliabilityTally(
  'full-disk',
  'on a 4 MB tmpfs: a creation that fills the disk half way, a creation on a full disk, `rm` and `rm --archive` of a run with work on a full disk',
  SCENARIOS,
);

/**
 * Issue 10: a full disk. The repository lives on a small tmpfs of its own (root only: mounting needs it,
 * and CI runs as root). Whatever fails says so in one line, and nothing the user had is lost.
 */
describe.runIf(process.getuid?.() === 0)('a full disk', () => {
  let mount: string;
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let saved: string;

  beforeEach(() => {
    mount = mkdtempSync(path.join(tmpdir(), 'gp-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = mount;
    try {
      ({ repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    // Incompressible files, so that each checkout takes real room (about 0.3 MB).
    for (let i = 0; i < 40; i++) repo.write(`data/blob-${i}.bin`, randomBytes(7000).toString('base64'));
    repo.commit('data');
    writeFileSync(path.join(repo.root, 'draft.txt'), 'the user’s own draft\n');
    saved = folderHash(repo.root);
  });
  afterEach(() => {
    closeWorkspace({ repo, tmux });
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });
  afterAll(() => tally.finish());

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const lost = () => folderHash(repo.root) !== saved;
  const world = () => worldOf({ repo, tmux }, ['records', 'filler']);
  const oneLine = (stderr: string) => {
    const last = stderr.trim().split('\n').at(-1) ?? '';
    expect(last, stderr).toMatch(/^git parallel: /);
    expect(stderr).not.toContain('unexpected error');
    expect(stderr).not.toMatch(/\n\s+at /);
  };
  /** Fills the file system to the last block; `free()` gives the room back. */
  const fill = () => {
    const filler = path.join(repo.parent, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      for (let size = 4096; size >= 1; size >>= 1) {
        try {
          for (;;) writeSync(fd, chunk.subarray(0, size));
        } catch {
          // Smaller pieces next.
        }
      }
    } finally {
      closeSync(fd);
    }
    return { free: () => rmSync(filler, { force: true }) };
  };

  it('a creation that fills the disk half way is rolled back, with one line', async () => {
    await tally.scenario(
      'fills the disk half way',
      async () => {
        const before = world();
        const result = await cli(['t', '-n', '14', '-p', 'x', '--no-attach']);
        expect(result.code, result.stderr).toBe(1);
        oneLine(result.stderr);
        expect(result.stderr).toMatch(/no space left|out of diskspace/i);
        expect(world()).toEqual(before);
      },
      lost,
    );
  });

  it('a creation on a full disk: one line, nothing created', async () => {
    await tally.scenario(
      'creation on a full disk',
      async () => {
        const before = world();
        const disk = fill();
        try {
          const result = await cli(['t', '-n', '2', '-p', 'x', '--no-attach']);
          expect(result.code, result.stderr).toBe(1);
          oneLine(result.stderr);
          expect(world()).toEqual(before);
        } finally {
          disk.free();
        }
      },
      lost,
    );
  });

  it('rm of a run with work on a full disk refuses; with room again, rm --force works', async () => {
    const work = () => path.join(repo.parent, 'app-worktrees', 't-1', 'work.txt');
    let removedWork = false;
    await tally.scenario(
      'rm on a full disk',
      async () => {
        const before = world();
        expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
        writeFileSync(work(), 'uncommitted work\n');
        const disk = fill();
        try {
          const refused = await cli(['rm', 't']);
          removedWork = !existsSync(work());
          expect(refused.code, refused.stderr).toBe(2);
          expect(refused.stderr).toContain('would lose work');
          expect(existsSync(work())).toBe(true);
        } finally {
          disk.free();
        }
        expect((await cli(['rm', 't', '--force'])).code).toBe(0);
        expect(world()).toEqual(before);
      },
      // Lost when the plain rm removed the work (the forced rm afterwards is asked to).
      () => lost() || removedWork,
    );
  });

  it('rm --archive on a full disk either archives the work or keeps it in place', async () => {
    const work = () => path.join(repo.parent, 'app-worktrees', 't-1', 'work.txt');
    let archived = false;
    await tally.scenario(
      'rm --archive on a full disk',
      async () => {
        expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
        writeFileSync(work(), randomBytes(3000).toString('base64'));
        const disk = fill();
        let result: Awaited<ReturnType<typeof cli>>;
        try {
          result = await cli(['rm', 't', '--archive']);
        } finally {
          disk.free();
        }
        archived = repo.git('for-each-ref', 'refs/git-parallel/').includes('refs/git-parallel/t/1');
        if (result.code === 0) expect(archived).toBe(true);
        else {
          oneLine(result.stderr);
          expect(existsSync(work())).toBe(true);
        }
      },
      () => lost() || (!archived && !existsSync(work())),
    );
  });
});
