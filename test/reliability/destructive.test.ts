import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 10: every destructive path × every kind of work a candidate can hold, checked by content hashes.
 * Before the path runs, each piece of work is fingerprinted (a file: the SHA-256 of its bytes; a commit:
 * its id). Afterwards each piece must still be found: a file with the same hash in the worktree or under
 * a branch or an archive (refs/git-parallel/…), a commit reachable from git's refs, HEADs or reflogs.
 * A piece not found is data lost. Ignored files are the one kind git itself treats as disposable
 * (`git worktree remove` deletes them): they may go, but rm and pick must name them.
 */
type Piece = { file: string; sha256: string } | { commit: string };
type Git = (...args: string[]) => string;

interface Work {
  kind: string;
  /** Leaves the work in the worktree; returns its pieces. */
  leave: (worktree: string, git: Git) => Piece[];
  /** What `rm` says about it when it refuses. */
  phrase: RegExp;
  disposable?: boolean;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function writeWork(worktree: string, file: string, content: string): Piece {
  mkdirSync(path.dirname(path.join(worktree, file)), { recursive: true });
  writeFileSync(path.join(worktree, file), content);
  return { file, sha256: sha256(content) };
}

function commitWork(worktree: string, git: Git, file: string, content: string): Piece[] {
  const piece = writeWork(worktree, file, content);
  git('-C', worktree, 'add', file);
  git('-C', worktree, 'commit', '-q', '-m', `work: ${file}`);
  return [piece, { commit: git('-C', worktree, 'rev-parse', 'HEAD') }];
}

const WORK: Work[] = [
  {
    kind: 'an uncommitted change',
    phrase: /1 uncommitted change/,
    leave: (wt) => [writeWork(wt, 'README.md', '# changed by the agent\n')],
  },
  {
    kind: 'a staged new file',
    phrase: /1 uncommitted change/,
    leave: (wt, git) => {
      const piece = writeWork(wt, 'src/staged.ts', 'export const staged = 1;\n');
      git('-C', wt, 'add', 'src/staged.ts');
      return [piece];
    },
  },
  {
    kind: 'an untracked file',
    phrase: /1 untracked file/,
    leave: (wt) => [writeWork(wt, 'notes/new.txt', 'a new file of the agent\n')],
  },
  {
    kind: 'a commit not in main',
    phrase: /1 commit not in main/,
    leave: (wt, git) => commitWork(wt, git, 'committed.txt', 'committed work\n'),
  },
  {
    kind: 'a commit on a detached HEAD (F2)',
    phrase: /1 commit only on its detached HEAD/,
    leave: (wt, git) => {
      git('-C', wt, 'checkout', '-q', '--detach');
      return commitWork(wt, git, 'detached.txt', 'committed on a detached HEAD\n');
    },
  },
  {
    kind: 'a commit only in the reflog (F2)',
    phrase: /1 commit only in its reflog/,
    leave: (wt, git) => {
      const pieces = commitWork(wt, git, 'reset-away.txt', 'committed, then reset away\n');
      git('-C', wt, 'reset', '-q', '--hard', 'HEAD~1');
      return pieces.filter((p) => 'commit' in p);
    },
  },
  {
    kind: 'a worktree git cannot read (F3)',
    phrase: /a worktree whose state git cannot read \(.*index file smaller than expected\)/,
    leave: (wt, git) => {
      const pieces = [
        writeWork(wt, 'README.md', '# modified in an unreadable worktree\n'),
        writeWork(wt, 'untracked.txt', 'untracked in an unreadable worktree\n'),
      ];
      const adminDir = git('-C', wt, 'rev-parse', '--absolute-git-dir');
      writeFileSync(path.join(adminDir, 'index'), 'garbage, not an index');
      return pieces;
    },
  },
  {
    kind: 'ignored files the candidate made',
    phrase: /./,
    disposable: true,
    leave: (wt) => [writeWork(wt, 'notes.local', 'my notes\n'), writeWork(wt, 'build/out.js', 'built\n')],
  },
];

type Cli = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
interface Destructive {
  name: string;
  /** refuse: exit 2, the run kept; keep: exit 0, the work archived; prune: exit 0 with "kept t". */
  expect: 'refuse' | 'keep' | 'prune';
  run: (cli: Cli, repo: TestRepo) => Promise<{ code: number; stderr: string }>;
  namesIgnored: boolean;
}

const PATHS: Destructive[] = [
  { name: 'rm', expect: 'refuse', namesIgnored: true, run: (cli) => cli(['rm', 't']) },
  {
    name: 'prune --runs (damaged run)',
    expect: 'prune',
    namesIgnored: false,
    run: (cli, repo) => {
      writeFileSync(path.join(repo.root, '.git/parallel/t/run.json'), 'damaged');
      return cli(['prune', '--runs']);
    },
  },
  {
    name: 'prune --runs (orphaned worktrees)',
    expect: 'prune',
    namesIgnored: false,
    run: (cli, repo) => {
      rmSync(path.join(repo.root, '.git/parallel/t'), { recursive: true });
      return cli(['prune', '--runs']);
    },
  },
  {
    name: 'pick of another candidate',
    expect: 'keep',
    namesIgnored: true,
    run: (cli, repo) => {
      writeFileSync(path.join(repo.parent, 'app-worktrees', 't-1', 'winner.txt'), 'the winning change\n');
      return cli(['pick', 't', '1']);
    },
  },
  { name: 'rm --archive', expect: 'keep', namesIgnored: true, run: (cli) => cli(['rm', 't', '--archive']) },
];

/** Results of this file, for the report at the end: tried, passed, pieces of work lost. */
const tally = { tried: 0, passed: 0, lost: 0 };

describe('destructive paths × kinds of work (content hashes)', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace());
    repo.write('.gitignore', 'notes.local\nbuild/\n');
    repo.commit('ignore');
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli: Cli = (args) => runCli(args, { cwd: repo.root, env: tmux.env });
  const cases = PATHS.flatMap((p) => WORK.map((w) => [p.name, w.kind, p, w] as const));

  /** Where a piece of work can still be found, or null when it is lost. */
  const find = (piece: Piece, worktree: string): string | null => {
    if ('commit' in piece) {
      // Every ref, every worktree's HEAD and every reflog: what git itself keeps.
      const all = repo.git('rev-list', '--all', '--reflog').split('\n');
      return all.includes(piece.commit) ? 'reachable' : null;
    }
    const onDisk = path.join(worktree, piece.file);
    if (existsSync(onDisk) && sha256(readFileSync(onDisk)) === piece.sha256) return 'worktree';
    const refs = repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/', 'refs/git-parallel/');
    for (const ref of refs.split('\n').filter(Boolean)) {
      try {
        const bytes = execFileSync('git', ['show', `${ref}:${piece.file}`], { cwd: repo.root });
        if (sha256(bytes) === piece.sha256) return ref;
      } catch {
        // Not in this ref.
      }
    }
    return null;
  };

  it.each(cases)('%s with %s in a candidate', async (_p, _w, destructive, work) => {
    tally.tried++;
    expect((await cli(['t', '-n', '2', '-p', 'x', '--mux', 'none', '--no-attach'])).code).toBe(0);
    const worktree = path.join(repo.parent, 'app-worktrees', 't-2');
    const pieces = work.leave(worktree, repo.git);
    if (work.disposable && destructive.name === 'rm') {
      // --dry-run names them beforehand, so they can be copied out first.
      const dry = await cli(['rm', 't', '--dry-run']);
      expect(dry.stdout).toMatch(
        /\n {2}delete ignored files the candidates made: t-2: (notes\.local, build\/|build\/, notes\.local)/,
      );
    }

    const result = await destructive.run(cli, repo);
    const missing = pieces.filter((piece) => find(piece, worktree) === null);
    if (!work.disposable) tally.lost += missing.length;

    if (work.disposable) {
      // Deleted with the worktree, as git worktree remove does, and named where rm and pick report.
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(worktree)).toBe(false);
      if (destructive.namesIgnored)
        expect(result.stderr).toMatch(/t-2: (notes\.local, build\/|build\/, notes\.local)/);
      tally.passed++;
      return;
    }
    expect(missing).toEqual([]);
    const unreadable = work.kind.includes('cannot read');
    if (destructive.expect === 'refuse' || (destructive.expect === 'keep' && unreadable)) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      if (destructive.expect === 'refuse') expect(result.stderr).toMatch(work.phrase);
      else expect(result.stderr).toMatch(/cannot archive t-2: git cannot read its worktree/);
      expect(existsSync(worktree)).toBe(true);
    } else if (destructive.expect === 'prune') {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/kept t \(/);
      expect(existsSync(worktree)).toBe(true);
    } else {
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(worktree)).toBe(false);
      // The work is under the archive: `git branch` restores it.
      expect(
        pieces.every((piece) => 'commit' in piece || find(piece, worktree)?.startsWith('refs/git-parallel/')),
      ).toBe(true);
    }
    tally.passed++;
  });

  it('tally: every case was tried and no piece of work was lost', () => {
    // Runs last in this file (vitest keeps declaration order within a file).
    expect(tally).toEqual({ tried: cases.length, passed: cases.length, lost: 0 });
  });
});

/**
 * Issue 10 F4: what an agent writes as it is stopped. rm and pick end the agents and wait for them before
 * they look for work to lose (rm) or archive (pick), so nothing an agent commits on its way out is lost.
 */
describe('agents that write as they stop', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let logDir: string;

  /** A stand-in agent (a Node script) that logs the id of every commit it makes to <logDir>/<n>.log. */
  const AGENT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const log = path.join(process.env.LOG_DIR, process.env.GIT_PARALLEL_INDEX + '.log');
fs.writeFileSync(log + '.pid', String(process.pid));
let i = 0;
const commit = (file, text) => {
  fs.writeFileSync(file, text);
  execFileSync('git', ['add', '-A']);
  execFileSync('git', ['commit', '-q', '-m', text]);
  fs.appendFileSync(log, execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }));
};
if (process.env.MODE === 'commit-on-hangup') {
  process.on('SIGHUP', () => {
    commit('at-hangup.txt', 'written as the agent stopped\n');
    process.exit(0);
  });
  fs.writeFileSync(log + '.ready', '');
  setInterval(() => {}, 1000);
} else {
  // Ignores the hang-up and keeps committing until it is terminated.
  process.on('SIGHUP', () => {});
  setInterval(() => {
    try {
      commit('tick.txt', 'tick ' + ++i + '\n');
      if (i === 1) fs.writeFileSync(log + '.ready', '');
    } catch {
      // A commit cut short by a signal: the next tick tries again.
    }
  }, 100);
}
`;

  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace({
      config: (standIn) => {
        const parent = path.dirname(standIn.recordDir);
        const script = path.join(parent, 'writing-agent.cjs');
        writeFileSync(script, AGENT);
        logDir = path.join(parent, 'logs');
        mkdirSync(logDir, { recursive: true });
        const define = (mode: string) => ({
          command: process.execPath,
          args: [script],
          prompt: 'none',
          env: { LOG_DIR: logDir, MODE: mode },
        });
        return { agents: { hup: define('commit-on-hangup'), busy: define('keep-committing') } };
      },
    }));
  });
  afterEach(() => {
    // An agent that ignores the hang-up would outlive the tmux server of a failed test: end it by its pid.
    for (const n of [1, 2]) {
      const pidFile = path.join(logDir, `${n}.log.pid`);
      if (!existsSync(pidFile)) continue;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    closeWorkspace({ repo, tmux });
  });

  const cli: Cli = (args) => runCli(args, { cwd: repo.root, env: tmux.env });
  const logged = (n: number) =>
    existsSync(path.join(logDir, `${n}.log`))
      ? readFileSync(path.join(logDir, `${n}.log`), 'utf8')
          .split('\n')
          .filter(Boolean)
      : [];
  const ready = async (count: number) => {
    const deadline = Date.now() + 15_000;
    while (
      !Array.from({ length: count }, (_, i) => existsSync(path.join(logDir, `${i + 1}.log.ready`))).every(
        Boolean,
      )
    ) {
      if (Date.now() > deadline) throw new Error('the agents did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('rm sees the commit an agent makes when it is hung up, and refuses to lose it', async () => {
    expect((await cli(['t', '-n', '1', '--agent', 'hup', '--no-attach'])).code).toBe(0);
    await ready(1);
    const result = await cli(['rm', 't']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      "git parallel: removing t would lose work its agents wrote as they stopped: t-1 has 1 commit not in main (the agents are stopped, nothing was removed; commit or merge it; or rm t --archive to keep every candidate's work under refs/git-parallel/t/, --keep-branches to keep the branches and their commits, --force to discard it)\n",
    );
    const [commit] = logged(1);
    expect(repo.git('rev-parse', 'refs/heads/t-1')).toBe(commit);
    expect(repo.git('show', 't-1:at-hangup.txt')).toBe('written as the agent stopped');
    expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
    // Then it can be kept: nothing is refused any more, and the commit is archived.
    expect((await cli(['rm', 't', '--archive'])).code).toBe(0);
    expect(repo.git('rev-list', '--all').split('\n')).toContain(commit);
  });

  it('pick stops agents that ignore the hang-up and keep committing, and archives every commit they made', async () => {
    expect((await cli(['t', '-n', '2', '--agent', 'busy', '--no-attach'])).code).toBe(0);
    await ready(2);
    const result = await cli(['pick', 't', '1']);
    expect(result.code, result.stderr).toBe(0);
    const made = [...logged(1), ...logged(2)];
    expect(made.length).toBeGreaterThan(2);
    // The agents are gone: no commit is made after pick returned.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([...logged(1), ...logged(2)]).toEqual(made);
    // Every commit is reachable from a ref (the archives, main): none was lost.
    const reachable = new Set(repo.git('rev-list', '--all').split('\n'));
    expect(made.filter((commit) => !reachable.has(commit))).toEqual([]);
    // The picked candidate's commits, up to the last one its agent made before it ended, are in main.
    const inMain = new Set(repo.git('rev-list', 'main').split('\n'));
    expect(logged(1).filter((commit) => !inMain.has(commit))).toEqual([]);
  });
});
