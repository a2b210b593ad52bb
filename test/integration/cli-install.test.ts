import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { StandIn } from '../helpers/stand-in-agent.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * The package as a user gets it (issue 11 item 3): `npm pack` (of the build `npm test` made) and
 * `npm i -g <tarball> --prefix <tmp>`. git turns `git parallel --help` into `git help parallel`, which
 * opens the manual page npm installed from package.json's "man"; help, version and a typo start nothing.
 */
describe('installed package: man pages and git parallel --help', () => {
  let dir: string;
  let prefix: string;
  let workspace: { repo: TestRepo; tmux: PrivateTmux; agent: StandIn };
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'gp-install-')));
    prefix = path.join(dir, 'prefix');
    // --ignore-scripts: the tarball carries the build `npm test` made; rebuilding here would remove dist/
    // under the test files running beside this one.
    const npm = (...args: string[]) =>
      execFileSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const tarball = npm('pack', '--silent', '--pack-destination', dir).trim().split('\n').at(-1)!;
    npm('install', '--global', '--prefix', prefix, '--prefer-offline', path.join(dir, tarball));
    workspace = standInWorkspace();
    env = {
      ...process.env,
      ...workspace.tmux.env,
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`,
      MANPATH: path.join(prefix, 'share', 'man'),
      MANPAGER: 'cat',
      PAGER: 'cat',
      MANWIDTH: '80',
    };
  }, 180_000);
  afterAll(() => {
    if (workspace) closeWorkspace(workspace);
    rmSync(dir, { recursive: true, force: true });
  });

  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: workspace.repo.root, env, encoding: 'utf8' });

  it('installs git-parallel(1) and a page per command where man finds them', () => {
    const pages = readdirSync(path.join(prefix, 'share', 'man', 'man1'));
    expect(pages).toEqual(
      expect.arrayContaining([
        'git-parallel.1',
        'git-parallel-run.1',
        'git-parallel-rm.1',
        'git-parallel-compare.1',
      ]),
    );
    const found = spawnSync('man', ['-w', 'git-parallel'], { env, encoding: 'utf8' });
    expect(found.status).toBe(0);
    expect(found.stdout).toContain('git-parallel.1');
    expect(spawnSync('man', ['-w', 'git-parallel-status'], { env }).status).toBe(0);
  });

  it('git parallel --help shows the manual page', () => {
    const result = git('parallel', '--help');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/GIT-PARALLEL\(1\)/);
    expect(result.stdout).toMatch(/run N coding agents on one prompt/);
    expect(result.stdout).toMatch(/TASK NAMES/);
  });

  it('help, version and a typo start nothing; their output comes from the installed command', () => {
    const state = path.join(workspace.repo.root, '.git', 'parallel');
    const help = git('parallel', 'help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^git parallel <task> \[options\]/);
    const version = git('parallel', 'version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const typo = git('parallel', 'stauts');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('did you mean `git parallel status`?');
    expect(git('parallel', 'rm', '--help').stdout).toMatch(/^git parallel rm <tasks\.\.>/);
    expect(existsSync(state) ? readdirSync(state).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    expect(workspace.repo.git('worktree', 'list')).not.toContain('\n');
    expect(existsSync(workspace.agent.recordDir) ? readdirSync(workspace.agent.recordDir) : []).toEqual([]);
  });

  it('the completion scripts ship with the package', () => {
    expect(git('parallel', 'completion', 'bash').stdout).toContain('_git_parallel()');
    expect(git('parallel', 'completion', 'zsh').stdout).toContain('_git-parallel()');
  });
});
