import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteOrphanedCheckout,
  deleteRunFolder,
  deletionProblem,
  type RunFolders,
} from '../../src/io/safe-delete.js';
import { removeRunState } from '../../src/io/state.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Issue 10: the one place that deletes folders accepts only the run's own state folder and the linked
 * worktrees it recorded, whatever a caller (or a hand-edited run.json) asks for.
 */
describe('safe-delete', () => {
  let repo: TestRepo;
  let other: TestRepo;
  let folders: RunFolders;
  let worktree: string;

  beforeEach(() => {
    repo = makeRepo('app');
    other = makeRepo('other');
    worktree = path.join(repo.parent, 'app-worktrees', 't-1');
    repo.git('worktree', 'add', '--quiet', '-b', 't-1', worktree);
    mkdirSync(path.join(repo.root, '.git', 'parallel', 't'), { recursive: true });
    writeFileSync(path.join(repo.root, '.git', 'parallel', 't', 'run.json'), '{}');
    const foreign = path.join(other.parent, 'other-worktrees', 'x-1');
    other.git('worktree', 'add', '--quiet', '-b', 'x-1', foreign);
    mkdirSync(path.join(repo.parent, 'plain'));
    folders = {
      commonDir: path.join(repo.root, '.git'),
      mainRoot: repo.root,
      task: 't',
      worktrees: [
        worktree,
        repo.root,
        repo.parent,
        path.join(repo.parent, 'plain'),
        foreign,
        '/',
        path.join(repo.root, '.git'),
      ],
    };
  });
  afterEach(() => {
    repo.cleanup();
    other.cleanup();
  });

  it('allows the state folder and a linked worktree of this repository', async () => {
    expect(await deletionProblem(folders, path.join(repo.root, '.git', 'parallel', 't'))).toBeNull();
    expect(await deletionProblem(folders, worktree)).toBeNull();
    await deleteRunFolder(folders, worktree);
    expect(existsSync(worktree)).toBe(false);
    expect(existsSync(path.join(repo.root, '.git'))).toBe(true);
  });

  it.each([
    ['the git dir', (r: TestRepo) => path.join(r.root, '.git'), /it is the git dir/],
    ['the repository', (r: TestRepo) => r.root, /it is the main worktree|holding the git dir/],
    ['the folder around it', (r: TestRepo) => r.parent, /a folder holding the git dir/],
    ['the file system root', () => '/', /a folder holding the git dir/],
    ['every run’s state', (r: TestRepo) => path.join(r.root, '.git', 'parallel'), /neither the state folder/],
    [
      'a recorded folder that is no worktree',
      (r: TestRepo) => path.join(r.parent, 'plain'),
      /not a linked worktree/,
    ],
    [
      'a worktree of another repository',
      () => path.join(other.parent, 'other-worktrees', 'x-1'),
      /another repository/,
    ],
    ['an unrecorded folder', (r: TestRepo) => path.join(r.parent, 'elsewhere'), /neither the state folder/],
    ['a relative path', () => 'app-worktrees/t-1', /not an absolute path/],
  ])('refuses %s, deleting nothing', async (_what, target, why) => {
    const wanted = target(repo);
    expect(await deletionProblem(folders, wanted)).toMatch(why);
    await expect(deleteRunFolder(folders, wanted)).rejects.toThrow(/^refusing to delete /);
    expect(existsSync(path.join(repo.root, '.git', 'HEAD'))).toBe(true);
    expect(existsSync(path.join(repo.root, 'README.md'))).toBe(true);
    expect(existsSync(path.join(repo.parent, 'plain'))).toBe(true);
  });

  it('refuses the state folder of a task name that is a path', async () => {
    for (const task of ['', '.', '..', '../..']) {
      const dir = path.join(repo.root, '.git', 'parallel', task);
      expect(await deletionProblem({ ...folders, task }, dir)).not.toBeNull();
      // removeRunState(dir) is what rm called with runDir(commonDir, task): `rm .. --force` deleted .git.
      await expect(removeRunState(dir)).rejects.toThrow(/^refusing to delete /);
    }
    expect(existsSync(path.join(repo.root, '.git', 'parallel', 't', 'run.json'))).toBe(true);
    await removeRunState(path.join(repo.root, '.git', 'parallel', 't'));
    expect(existsSync(path.join(repo.root, '.git', 'parallel', 't'))).toBe(false);
    expect(existsSync(path.join(repo.root, '.git', 'parallel'))).toBe(true);
  });

  describe('a checkout git no longer knows (prune --runs)', () => {
    const repoOf = (r: TestRepo) => ({ commonDir: path.join(r.root, '.git'), mainRoot: r.root });

    it('deletes a checkout whose admin folder is gone', async () => {
      const orphan = path.join(repo.parent, 'app-worktrees', 't-2');
      repo.git('worktree', 'add', '--quiet', '-b', 't-2', orphan);
      rmSync(path.join(repo.root, '.git', 'worktrees', 't-2'), { recursive: true });
      await deleteOrphanedCheckout(repoOf(repo), orphan);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(worktree)).toBe(true);
    });

    it.each([
      ['a worktree git still knows', () => worktree, /git still knows it/],
      ['the git dir', (r: TestRepo) => path.join(r.root, '.git'), /it is the git dir/],
      ['the repository', (r: TestRepo) => r.root, /holding the git dir|the main worktree/],
      ['the folder around it', (r: TestRepo) => r.parent, /a folder holding the git dir/],
      ['a plain folder', (r: TestRepo) => path.join(r.parent, 'plain'), /not a linked worktree/],
      [
        'an orphan of another repository',
        () => path.join(other.parent, 'other-worktrees', 'x-1'),
        /another repository/,
      ],
      ['a relative path', () => 'app-worktrees/t-1', /not an absolute path/],
    ])('refuses %s, deleting nothing', async (_what, target, why) => {
      rmSync(path.join(other.root, '.git', 'worktrees', 'x-1'), { recursive: true });
      const wanted = target(repo);
      await expect(deleteOrphanedCheckout(repoOf(repo), wanted)).rejects.toThrow(why);
      expect(existsSync(path.join(repo.root, '.git', 'HEAD'))).toBe(true);
      expect(existsSync(path.join(worktree, 'README.md'))).toBe(true);
      expect(existsSync(path.join(repo.parent, 'plain'))).toBe(true);
      expect(existsSync(path.join(other.parent, 'other-worktrees', 'x-1'))).toBe(true);
    });
  });
});
