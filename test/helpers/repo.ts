import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestRepo {
  /** The temporary folder holding the repository (and, by default, its sibling worktree folder). */
  parent: string;
  root: string;
  git(...args: string[]): string;
  write(file: string, content: string): void;
  commit(message: string): string;
  cleanup(): void;
}

/**
 * A throwaway repository with one commit on `main`, its own identity and no signing or background gc.
 * It lives in `<tmp>/gp-XXXX/<name>`, so the default worktree folder `../<name>-worktrees` stays inside
 * the temporary folder.
 */
export function makeRepo(name = 'app', options: { commit?: boolean } = {}): TestRepo {
  const parent = realpathSync(mkdtempSync(path.join(tmpdir(), 'gp-')));
  const root = path.join(parent, name);
  mkdirSync(root);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.name', 'Test Author');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'gc.auto', '0');
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '--quiet', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  if (options.commit !== false) {
    write('README.md', '# app\n');
    commit('initial');
  }
  return {
    parent,
    root,
    git,
    write,
    commit,
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
  };
}
