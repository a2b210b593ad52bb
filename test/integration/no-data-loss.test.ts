import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * No data loss: every destructive path, against every kind of work an agent leaves. A path either
 * refuses (exit 2, the work untouched) until --force, or keeps the work where `git branch` can restore it.
 */
type Work = {
  kind: string;
  leave: (worktree: string, git: (...args: string[]) => string) => void;
  file: string;
  content: string;
};
const WORK: Work[] = [
  {
    kind: 'uncommitted',
    file: 'README.md',
    content: 'changed by the agent\n',
    leave: (wt) => writeFileSync(path.join(wt, 'README.md'), 'changed by the agent\n'),
  },
  {
    kind: 'untracked',
    file: 'new.txt',
    content: 'a new file\n',
    leave: (wt) => writeFileSync(path.join(wt, 'new.txt'), 'a new file\n'),
  },
  {
    kind: 'unmerged',
    file: 'committed.txt',
    content: 'committed work\n',
    leave: (wt, git) => {
      writeFileSync(path.join(wt, 'committed.txt'), 'committed work\n');
      git('-C', wt, 'add', 'committed.txt');
      git('-C', wt, 'commit', '-q', '-m', 'agent work');
    },
  },
];

type Path = {
  name: string;
  refuses: boolean;
  run: (cli: Cli, repo: TestRepo) => Promise<{ code: number; stderr: string }>;
  force?: (cli: Cli) => Promise<{ code: number }>;
};
type Cli = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
const PATHS: Path[] = [
  { name: 'rm', refuses: true, run: (cli) => cli(['rm', 't']), force: (cli) => cli(['rm', 't', '--force']) },
  {
    name: 'prune --runs (of a damaged run)',
    refuses: true,
    run: async (cli, repo) => {
      writeFileSync(path.join(repo.root, '.git/parallel/t/run.json'), 'damaged');
      const result = await cli(['prune', '--runs']);
      // prune reports what it keeps and exits 0: keeping is its answer, not an error.
      return { code: result.stderr.includes('kept t') ? 2 : result.code, stderr: result.stderr };
    },
    force: (cli) => cli(['prune', '--runs', '--force']),
  },
  {
    name: 'pick of another candidate (cleanup)',
    refuses: false,
    run: (cli, repo) => {
      writeFileSync(path.join(repo.parent, 'app-worktrees', 't-1', 'winner.txt'), 'the winning change\n');
      return cli(['pick', 't', '1']);
    },
  },
  { name: 'rm --archive', refuses: false, run: (cli) => cli(['rm', 't', '--archive']) },
];

describe('no data loss', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace());
  });
  afterEach(() => closeWorkspace({ repo, tmux }));

  const cli: Cli = (args) => runCli(args, { cwd: repo.root, env: tmux.env });
  const cases = PATHS.flatMap((p) => WORK.map((w) => [p.name, w.kind, p, w] as const));

  it.each(cases)('%s with %s work in a candidate', async (_p, _w, destructive, work) => {
    expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
    const worktree = path.join(repo.parent, 'app-worktrees', 't-2');
    work.leave(worktree, repo.git);

    const result = await destructive.run(cli, repo);
    if (destructive.refuses) {
      expect(result.code).toBe(2);
      expect(readFileSync(path.join(worktree, work.file), 'utf8')).toBe(work.content);
      expect((await destructive.force!(cli)).code).toBe(0);
      expect(existsSync(worktree)).toBe(false);
    } else {
      expect(result.code).toBe(0);
      expect(existsSync(worktree)).toBe(false);
      // The work is kept where git can restore it.
      repo.git('branch', 'restored', 'refs/git-parallel/t/2');
      expect(repo.git('show', `restored:${work.file}`)).toBe(work.content.trimEnd());
    }
  });
});
