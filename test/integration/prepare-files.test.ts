import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** Ready-to-run worktrees: the gitignored files every candidate gets from the main worktree. */
describe('copy, link, .worktreeinclude and envFile', () => {
  let repo: TestRepo;

  beforeEach(() => {
    repo = makeRepo('app');
    repo.write(
      '.gitignore',
      ['.env', '.env.local', 'config/*.local.yml', 'secrets/', '.tool-cache', 'notes.txt', ''].join('\n'),
    );
    repo.write('config/app.yml', 'tracked: true\n');
    repo.write('tracked.local.txt', 'tracked\n');
    repo.commit('project');
    // The gitignored files of the main worktree, as a developer has them.
    repo.write('.env', 'SECRET=1\n');
    repo.write('.env.local', '# mine\nPORT=1234\nAPI_URL=http://localhost:1234\n');
    repo.write('config/db.local.yml', 'password: x\n');
    repo.write('secrets/key.pem', 'key\n');
    repo.write('secrets/nested/deploy.sh', '#!/bin/sh\n');
    chmodSync(path.join(repo.root, 'secrets/key.pem'), 0o600);
    chmodSync(path.join(repo.root, 'secrets/nested/deploy.sh'), 0o755);
    repo.write('.tool-cache/big.bin', 'cache\n');
    repo.write('untracked-not-ignored.txt', 'mine\n');
  });
  afterEach(() => repo.cleanup());

  const config = (settings: Record<string, unknown>) =>
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', ports: { PORT: 4000 }, ...settings }),
    );
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.root, env });
  const worktree = (task: string, n: number) => path.join(repo.parent, 'app-worktrees', `${task}-${n}`);
  const mode = (file: string) => statSync(file).mode & 0o777;

  it('copies gitignored files (keeping modes), links others, honours .worktreeinclude, never touches tracked files', async () => {
    config({
      copy: [
        '.env',
        '.env.local',
        'config/*.local.yml',
        'tracked.local.txt',
        'untracked-not-ignored.txt',
        'nothing/*.yml',
      ],
      link: ['.tool-cache'],
    });
    writeFileSync(path.join(repo.root, '.worktreeinclude'), '# gitignore syntax\nsecrets/\n');
    // A tracked file the main worktree has changed: the candidate must get the committed version.
    repo.write('config/app.yml', 'changed in main\n');

    const result = await cli(['files', '-n', '2', '--mux', 'none']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    for (const n of [1, 2]) {
      const wt = worktree('files', n);
      expect(readFileSync(path.join(wt, '.env'), 'utf8')).toBe('SECRET=1\n');
      expect(readFileSync(path.join(wt, 'config/db.local.yml'), 'utf8')).toBe('password: x\n');
      expect(readFileSync(path.join(wt, 'secrets/key.pem'), 'utf8')).toBe('key\n');
      expect(mode(path.join(wt, 'secrets/key.pem'))).toBe(0o600);
      expect(mode(path.join(wt, 'secrets/nested/deploy.sh'))).toBe(0o755);
      expect(lstatSync(path.join(wt, '.tool-cache')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(wt, '.tool-cache'))).toBe(path.join(repo.root, '.tool-cache'));
      expect(readFileSync(path.join(wt, 'config/app.yml'), 'utf8')).toBe('tracked: true\n');
      expect(existsSync(path.join(wt, 'untracked-not-ignored.txt'))).toBe(false);
      // Copied files are gitignored, so the candidate starts clean: nothing for an agent to commit.
      expect(repo.git('-C', wt, 'status', '--porcelain')).toBe('');
    }
    expect(result.stderr).toContain('copy: tracked.local.txt is tracked by git');
    expect(result.stderr).toContain('copy: untracked-not-ignored.txt is not gitignored');
    expect(result.stderr).toContain('copy: "nothing/*.yml" matches no gitignored file');
  });

  it('link of a folder inside a gitignored folder links the folder itself; writes go through to the main worktree (issue 13 item 9)', async () => {
    repo.write('.gitignore', `${readFileSync(path.join(repo.root, '.gitignore'), 'utf8')}.cache/\n`);
    repo.commit('ignore .cache');
    repo.write('.cache/models/small.bin', 'weights\n');
    repo.write('.cache/other/tmp.txt', 'not linked\n');
    config({ link: ['.cache/models'] });
    const result = await cli(['models', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('warning');
    const models = (n: number) => path.join(worktree('models', n), '.cache/models');
    for (const n of [1, 2]) {
      expect(lstatSync(models(n)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(models(n))).toBe(path.join(repo.root, '.cache/models'));
      expect(existsSync(path.join(worktree('models', n), '.cache/other'))).toBe(false);
    }
    // A file added to the main worktree later is there; one written in a candidate is shared with all.
    repo.write('.cache/models/later.bin', 'later\n');
    expect(readFileSync(path.join(models(1), 'later.bin'), 'utf8')).toBe('later\n');
    writeFileSync(path.join(models(2), 'from-2.bin'), 'two\n');
    expect(readFileSync(path.join(repo.root, '.cache/models/from-2.bin'), 'utf8')).toBe('two\n');
    expect(readFileSync(path.join(models(1), 'from-2.bin'), 'utf8')).toBe('two\n');
    expect(repo.git('-C', worktree('models', 1), 'status', '--porcelain')).toBe('');
  });

  it('sparse files stay sparse, alone or in a copied folder (issue 13 item 12)', async () => {
    const head = (file: string) => {
      const buffer = Buffer.alloc(4096);
      const fd = openSync(file, 'r');
      readSync(fd, buffer, 0, 4096, 0);
      closeSync(fd);
      return buffer;
    };
    const size = 512 * 1024 * 1024;
    for (const file of ['disk.img', 'secrets/vm/disk.img']) {
      mkdirSync(path.dirname(path.join(repo.root, file)), { recursive: true });
      execFileSync('truncate', ['-s', String(size), path.join(repo.root, file)]);
      execFileSync(
        'dd',
        ['if=/dev/urandom', `of=${path.join(repo.root, file)}`, 'bs=4096', 'count=1', 'conv=notrunc'],
        {
          stdio: 'ignore',
        },
      );
    }
    repo.write('.gitignore', `${readFileSync(path.join(repo.root, '.gitignore'), 'utf8')}disk.img\n`);
    repo.commit('ignore the image');
    config({ copy: ['disk.img', 'secrets'] });
    const result = await cli(['sparse', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    for (const n of [1, 2]) {
      for (const file of ['disk.img', 'secrets/vm/disk.img']) {
        const copied = statSync(path.join(worktree('sparse', n), file));
        expect(copied.size).toBe(size);
        // A few blocks of data, not 512 MB of zeros.
        expect(copied.blocks * 512).toBeLessThan(4 * 1024 * 1024);
        expect(head(path.join(worktree('sparse', n), file))).toEqual(head(path.join(repo.root, file)));
      }
      expect(readFileSync(path.join(worktree('sparse', n), 'secrets/key.pem'), 'utf8')).toBe('key\n');
    }
  });

  it('warns when a linked folder is ignored only as a folder (a symlink is not a folder for git)', async () => {
    repo.write('.gitignore', '.tool-cache/\n');
    repo.commit('folder-only pattern');
    config({ link: ['.tool-cache'] });
    const result = await cli(['links', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(lstatSync(path.join(worktree('links', 1), '.tool-cache')).isSymbolicLink()).toBe(true);
    expect(result.stderr).toContain(
      'link: .tool-cache is a symlink in each candidate, and .gitignore ignores it only as a folder',
    );
  });

  it('.worktreeinclude alone copies only what is both listed and gitignored', async () => {
    config({});
    writeFileSync(
      path.join(repo.root, '.worktreeinclude'),
      '.env*\n!.env.local\nuntracked-not-ignored.txt\nconfig/app.yml\n',
    );
    const result = await cli(['wti', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
    const wt = worktree('wti', 1);
    expect(existsSync(path.join(wt, '.env'))).toBe(true);
    expect(existsSync(path.join(wt, '.env.local'))).toBe(false);
    expect(existsSync(path.join(wt, 'untracked-not-ignored.txt'))).toBe(false);
    expect(readFileSync(path.join(wt, 'config/app.yml'), 'utf8')).toBe('tracked: true\n');
  });

  it("writes each candidate's ports and GIT_PARALLEL_* into envFile, over the copied file", async () => {
    config({ copy: ['.env.local'], envFile: '.env.local' });
    const result = await cli(['envs', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/envs/run.json'), 'utf8'));
    for (const n of [1, 2]) {
      const text = readFileSync(path.join(worktree('envs', n), '.env.local'), 'utf8');
      const lines = text.split('\n');
      expect(lines[0]).toBe('# mine');
      expect(lines[1]).toBe(`PORT=${manifest.candidates[n - 1].ports.PORT}`);
      expect(lines[2]).toBe('API_URL=http://localhost:1234');
      expect(text).toContain(`GIT_PARALLEL_INDEX=${n}\n`);
      expect(text).toContain(`GIT_PARALLEL_WORKTREE=${worktree('envs', n)}\n`);
      expect(text).toContain('GIT_PARALLEL_TASK=envs\n');
    }
    // The main worktree's own file is untouched.
    expect(readFileSync(path.join(repo.root, '.env.local'), 'utf8')).toBe(
      '# mine\nPORT=1234\nAPI_URL=http://localhost:1234\n',
    );
  });

  it.each([
    [{ copy: ['../outside.txt'] }, /copy: "\.\.\/outside\.txt" leaves the repository/],
    [{ copy: ['/etc/passwd'] }, /copy: "\/etc\/passwd" is an absolute path/],
    [{ link: ['a/../../x'] }, /link: "a\/\.\.\/\.\.\/x" leaves the repository/],
    [{ envFile: '../.env' }, /envFile "\.\.\/\.env" leaves the repository/],
    [{ envFile: 'config/app.yml' }, /envFile config\/app\.yml is tracked by git/],
    [{ database: { sqlite: ['/tmp/x.db'] } }, /database\.sqlite: "\/tmp\/x\.db" is an absolute path/],
    // Issue 13 item 16: a linked envFile would silently lose its link.
    [{ link: ['.env.local'], envFile: '.env.local' }, /envFile \.env\.local is also selected by link/],
  ])('refuses %j with one line, exit 2, before creating anything', async (settings, message) => {
    writeFileSync(path.join(repo.parent, 'outside.txt'), 'outside\n');
    config(settings);
    const result = await cli(['bad', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(repo.parent, 'app-worktrees'))).toBe(false);
    expect(repo.git('branch', '--list', 'bad-*')).toBe('');
  });

  it('never copies the candidates themselves when worktreeDir is inside the repository', async () => {
    repo.write('.gitignore', '.env\n.worktrees/\n');
    repo.commit('worktrees inside');
    config({ worktreeDir: '.worktrees/{task}-{n}', copy: ['.env', '.worktrees'] });
    mkdirSync(path.join(repo.root, '.worktrees'), { recursive: true });
    const result = await cli(['inside', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(repo.root, '.worktrees/inside-1/.env'))).toBe(true);
    expect(existsSync(path.join(repo.root, '.worktrees/inside-1/.worktrees'))).toBe(false);
  });
});
