import { describe, expect, it } from 'vitest';
import {
  bwrapArgv,
  homeWritablePaths,
  refProtection,
  type SandboxPlan,
  sandboxExecArgv,
  sandboxExecProfile,
} from '../../src/core/sandbox.js';

const plan: SandboxPlan = {
  worktree: '/w/app-t-1',
  gitDir: '/r/.git/worktrees/app-t-1',
  commonDir: '/r/.git',
  branch: 't-1',
  otherBranches: ['main', 't-1', 't-2', 'feat/x', 'feat/y/z'],
  packFiles: ['/r/.git/objects/pack/pack-1.pack'],
  agentStateDir: '/r/.git/parallel/t/agents',
  writable: ['/h/.claude', '/h/.cache'],
  hiddenDirs: ['/h/.ssh'],
  hiddenFiles: ['/h/.netrc'],
  readable: ['/h', '/r', '/r/.git', '/w/app-t-2', '/opt/bin'],
};

/** The argv as a list of [flag, ...operands] groups, so tests read like the mount table. */
function mounts(argv: string[]): string[][] {
  const out: string[][] = [];
  const arity: Record<string, number> = {
    '--ro-bind': 2,
    '--ro-bind-try': 2,
    '--bind': 2,
    '--bind-try': 2,
    '--tmpfs': 1,
    '--remount-ro': 1,
    '--dev': 1,
    '--proc': 1,
    '--setenv': 2,
    '--chdir': 1,
    '--die-with-parent': 0,
    '--unshare-pid': 0,
  };
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--') break;
    const n = arity[flag];
    if (n === undefined) throw new Error(`unexpected ${flag}`);
    out.push(argv.slice(i, i + 1 + n));
    i += n;
  }
  return out;
}

describe('refProtection', () => {
  it.each([
    ['t-1', ['main', 't-2'], { ownDirs: [], files: ['main', 't-2'], dirs: [] }],
    ['t-1', ['t-1'], { ownDirs: [], files: [], dirs: [] }],
    ['t-1', ['feat/x', 'feat/y/z'], { ownDirs: [], files: [], dirs: ['feat'] }],
    ['a/t-1', ['a/t-2', 'main'], { ownDirs: ['a'], files: ['a/t-2', 'main'], dirs: [] }],
    [
      'a/b/t-1',
      ['a/c/d', 'a/b/t-2', 'e/f'],
      { ownDirs: ['a', 'a/b'], files: ['a/b/t-2'], dirs: ['a/c', 'e'] },
    ],
  ])('%s among %j', (branch, others, expected) => {
    expect(refProtection(branch, others)).toEqual(expected);
  });
});

describe('homeWritablePaths', () => {
  it.each([
    ['/usr/bin/claude', ['/h/.claude', '/h/.claude.json', '/h/.cache', '/h/.npm']],
    ['codex', ['/h/.codex', '/h/.cache', '/h/.npm']],
    ['/x/gemini', ['/h/.gemini', '/h/.cache', '/h/.npm']],
    ['/x/copilot', ['/h/.copilot', '/h/.cache', '/h/.npm']],
    [
      'opencode',
      ['/h/.config/opencode', '/h/.local/share/opencode', '/h/.local/state/opencode', '/h/.cache', '/h/.npm'],
    ],
    ['/tmp/stand-in.sh', ['/h/.cache', '/h/.npm']],
  ])('%s', (executable, expected) => {
    expect(homeWritablePaths(executable, '/h')).toEqual(expected);
  });
});

describe('bwrapArgv', () => {
  const argv = bwrapArgv('/usr/bin/bwrap', plan, ['/opt/bin/agent', '--flag', 'a prompt']);

  it('starts with bwrap and ends with the command after --', () => {
    expect(argv[0]).toBe('/usr/bin/bwrap');
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', '/opt/bin/agent', '--flag', 'a prompt']);
  });

  it('is the whole mount table, in order (later mounts cover earlier ones)', () => {
    expect(mounts(argv)).toEqual([
      ['--die-with-parent'],
      ['--unshare-pid'],
      ['--ro-bind', '/', '/'],
      ['--dev', '/dev'],
      ['--proc', '/proc'],
      ['--tmpfs', '/tmp'],
      ['--ro-bind-try', '/h', '/h'],
      ['--ro-bind-try', '/r', '/r'],
      ['--ro-bind-try', '/r/.git', '/r/.git'],
      ['--ro-bind-try', '/w/app-t-2', '/w/app-t-2'],
      ['--ro-bind-try', '/opt/bin', '/opt/bin'],
      ['--tmpfs', '/h/.ssh'],
      ['--remount-ro', '/h/.ssh'],
      ['--ro-bind', '/dev/null', '/h/.netrc'],
      ['--bind-try', '/h/.claude', '/h/.claude'],
      ['--bind-try', '/h/.cache', '/h/.cache'],
      ['--bind', '/w/app-t-1', '/w/app-t-1'],
      ['--bind', '/r/.git/objects', '/r/.git/objects'],
      ['--bind', '/r/.git/worktrees/app-t-1', '/r/.git/worktrees/app-t-1'],
      ['--bind', '/r/.git/refs/heads', '/r/.git/refs/heads'],
      ['--bind', '/r/.git/logs/refs/heads/t-1', '/r/.git/logs/refs/heads/t-1'],
      ['--bind', '/r/.git/parallel/t/agents', '/r/.git/parallel/t/agents'],
      ['--ro-bind', '/r/.git/refs/heads/feat', '/r/.git/refs/heads/feat'],
      ['--ro-bind', '/r/.git/refs/heads/main', '/r/.git/refs/heads/main'],
      ['--ro-bind', '/r/.git/refs/heads/t-2', '/r/.git/refs/heads/t-2'],
      ['--ro-bind', '/r/.git/objects/pack/pack-1.pack', '/r/.git/objects/pack/pack-1.pack'],
      ['--setenv', 'IS_SANDBOX', '1'],
      ['--chdir', '/w/app-t-1'],
    ]);
  });

  it('binds the folders leading to a nested branch onto themselves, after refs/heads', () => {
    const nested = mounts(bwrapArgv('bwrap', { ...plan, branch: 'a/t-1', otherBranches: ['a/t-2'] }, ['x']));
    const heads = nested.findIndex((m) => m[1] === '/r/.git/refs/heads');
    expect(nested[heads + 1]).toEqual(['--bind', '/r/.git/refs/heads/a', '/r/.git/refs/heads/a']);
    expect(nested.at(-4)).toEqual(['--ro-bind', '/r/.git/refs/heads/a/t-2', '/r/.git/refs/heads/a/t-2']);
  });

  it('never binds the own branch read-only, nor the main worktree writable', () => {
    const rw = mounts(argv).filter((m) => m[0] === '--bind' || m[0] === '--bind-try');
    expect(rw.map((m) => m[1])).not.toContain('/r');
    expect(rw.map((m) => m[1])).not.toContain('/w/app-t-2');
    const ro = mounts(argv).filter((m) => m[0] === '--ro-bind');
    expect(ro.map((m) => m[1])).not.toContain('/r/.git/refs/heads/t-1');
  });
});

describe('sandboxExecProfile (macOS; generated here, run only on macOS)', () => {
  const profile = sandboxExecProfile(plan);

  it('denies all writes, then allows the candidate’s own paths, then denies other refs and secrets', () => {
    expect(profile).toBe(
      [
        '(version 1)',
        '(allow default)',
        '(deny file-write*)',
        '(allow file-write*',
        '  (subpath "/w/app-t-1")',
        '  (subpath "/r/.git/objects")',
        '  (subpath "/r/.git/worktrees/app-t-1")',
        '  (subpath "/r/.git/refs/heads")',
        '  (subpath "/r/.git/parallel/t/agents")',
        '  (literal "/r/.git/logs/refs/heads/t-1")',
        '  (subpath "/h/.claude")',
        '  (subpath "/h/.cache")',
        '  (subpath "/private/tmp")',
        '  (subpath "/private/var/folders")',
        '  (subpath "/dev")',
        ')',
        '(deny file-write*',
        '  (subpath "/r/.git/refs/heads/feat")',
        '  (literal "/r/.git/refs/heads/main")',
        '  (literal "/r/.git/refs/heads/main.lock")',
        '  (literal "/r/.git/refs/heads/t-2")',
        '  (literal "/r/.git/refs/heads/t-2.lock")',
        ')',
        '(deny file-read* file-write*',
        '  (subpath "/h/.ssh")',
        '  (literal "/h/.netrc")',
        ')',
        '',
      ].join('\n'),
    );
  });

  it('quotes paths as SBPL strings', () => {
    const odd = sandboxExecProfile({ ...plan, worktree: '/w/a "b"\\c', otherBranches: [] });
    expect(odd).toContain('(subpath "/w/a \\"b\\"\\\\c")');
    expect(odd).not.toContain('(deny file-write*\n  (literal');
  });

  it('wraps the command with sandbox-exec and sets IS_SANDBOX inside', () => {
    const argv = sandboxExecArgv(plan, ['/opt/bin/agent', 'p']);
    expect(argv.slice(0, 2)).toEqual(['/usr/bin/sandbox-exec', '-p']);
    expect(argv[2]).toBe(profile);
    expect(argv.slice(3)).toEqual(['/usr/bin/env', 'IS_SANDBOX=1', '/opt/bin/agent', 'p']);
  });
});
