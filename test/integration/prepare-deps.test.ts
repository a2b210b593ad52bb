import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * deps: node_modules for every candidate. A real npm project, offline: its dependencies are tarballs
 * made here with `npm pack` and committed beside it, so `npm install` and `npm ci` need no registry.
 */
const NPM_ENV = {
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
};

function pack(dir: string, name: string, version: string, out: string): string {
  const source = path.join(dir, `${name}-${version}-src`);
  mkdirSync(source, { recursive: true });
  writeFileSync(
    path.join(source, 'package.json'),
    JSON.stringify({ name, version, main: 'index.js', bin: { [name]: 'cli.js' } }),
  );
  writeFileSync(path.join(source, 'index.js'), `module.exports = '${name} ${version}';\n`);
  writeFileSync(path.join(source, 'cli.js'), `#!/usr/bin/env node\nconsole.log(require('./index.js'));\n`);
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: source,
    encoding: 'utf8',
    env: { ...process.env, ...NPM_ENV },
  }).trim();
  return path.join(out, file);
}

describe('deps: node_modules for every candidate', () => {
  let repo: TestRepo;
  let upgrade: string;
  const main = (file: string) => path.join(repo.root, 'node_modules', file);
  const candidate = (task: string, n: number, file = '') =>
    path.join(repo.parent, 'app-worktrees', `${task}-${n}`, file);
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: NPM_ENV });
  const npm = (cwd: string, ...args: string[]) =>
    execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ...NPM_ENV } });

  beforeAll(() => {
    repo = makeRepo('app');
    const vendor = path.join(repo.root, 'vendor');
    mkdirSync(vendor);
    pack(repo.parent, 'gp-dep-a', '1.0.0', vendor);
    pack(repo.parent, 'gp-dep-b', '1.0.0', vendor);
    upgrade = pack(repo.parent, 'gp-dep-a', '2.0.0', repo.parent);
    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: {
          'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz',
          'gp-dep-b': 'file:vendor/gp-dep-b-1.0.0.tgz',
        },
      }),
    );
    repo.write('.gitignore', 'node_modules/\n');
    npm(repo.root, 'install');
    repo.write(
      '.git-parallelrc.json',
      JSON.stringify({ agent: 'shell', setup: ['node -e "console.log(require(\'gp-dep-a\'))"'] }),
    );
    repo.commit('an npm project');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it("hard-links node_modules on a file system without copy-on-write, and an npm install in one candidate changes no other candidate's files", async () => {
    const lockBefore = readFileSync(main('.package-lock.json'), 'utf8');
    const result = await cli(['linked', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    // This machine's /tmp is ext4 (no reflink); on btrfs/XFS/APFS the same run clones instead.
    expect(result.stderr).toMatch(/dependencies: (hard links|copy-on-write clone)/);
    const hardLinked = result.stderr.includes('hard links');
    for (const n of [1, 2]) {
      const file = candidate('linked', n, 'node_modules/gp-dep-a/index.js');
      expect(readFileSync(file, 'utf8')).toBe("module.exports = 'gp-dep-a 1.0.0';\n");
      if (hardLinked) expect(lstatSync(file).ino).toBe(lstatSync(main('gp-dep-a/index.js')).ino);
      // npm's own bookkeeping is rewritten in place by npm, so it is a copy, never a link.
      expect(lstatSync(candidate('linked', n, 'node_modules/.package-lock.json')).ino).not.toBe(
        lstatSync(main('.package-lock.json')).ino,
      );
      expect(readlinkSync(candidate('linked', n, 'node_modules/.bin/gp-dep-a'))).toBe(
        readlinkSync(main('.bin/gp-dep-a')),
      );
      expect(repo.git('-C', candidate('linked', n), 'status', '--porcelain')).toBe('');
      // Setup ran after the dependencies were in place.
      expect(
        readFileSync(path.join(repo.root, `.git/parallel/linked/logs/${n}-setup.log`), 'utf8'),
      ).toContain('gp-dep-a 1.0.0');
    }

    // An agent upgrades a dependency in candidate 1 with npm itself.
    npm(candidate('linked', 1), 'install', upgrade);
    expect(readFileSync(candidate('linked', 1, 'node_modules/gp-dep-a/index.js'), 'utf8')).toBe(
      "module.exports = 'gp-dep-a 2.0.0';\n",
    );
    // Nobody else sees it: not the main worktree, not candidate 2 (whose files are still shared with main).
    expect(readFileSync(main('gp-dep-a/index.js'), 'utf8')).toBe("module.exports = 'gp-dep-a 1.0.0';\n");
    expect(readFileSync(candidate('linked', 2, 'node_modules/gp-dep-a/index.js'), 'utf8')).toBe(
      "module.exports = 'gp-dep-a 1.0.0';\n",
    );
    expect(readFileSync(main('gp-dep-a/package.json'), 'utf8')).toContain('"version":"1.0.0"');
    expect(readFileSync(main('.package-lock.json'), 'utf8')).toBe(lockBefore);
    expect(readFileSync(candidate('linked', 2, 'node_modules/.package-lock.json'), 'utf8')).toBe(lockBefore);
    if (hardLinked) {
      expect(lstatSync(candidate('linked', 2, 'node_modules/gp-dep-a/index.js')).ino).toBe(
        lstatSync(main('gp-dep-a/index.js')).ino,
      );
    }
    // Removing a candidate removes its links only.
    expect((await cli(['rm', 'linked', '--force'])).code).toBe(0);
    expect(readFileSync(main('gp-dep-a/index.js'), 'utf8')).toBe("module.exports = 'gp-dep-a 1.0.0';\n");
  });

  it("runs the package manager when the main worktree's lockfile differs from the candidates'", async () => {
    const lockfile = path.join(repo.root, 'package-lock.json');
    const committed = readFileSync(lockfile, 'utf8');
    writeFileSync(lockfile, committed.replace('"name": "app"', '"name": "app-edited"'));
    try {
      const result = await cli(['installed', '-n', '1', '--mux', 'none']);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('dependencies: package-lock.json differs from the main worktree');
      const file = candidate('installed', 1, 'node_modules/gp-dep-b/index.js');
      expect(readFileSync(file, 'utf8')).toBe("module.exports = 'gp-dep-b 1.0.0';\n");
      expect(lstatSync(file).ino).not.toBe(lstatSync(main('gp-dep-b/index.js')).ino);
      expect(
        readFileSync(path.join(repo.root, '.git/parallel/installed/logs/1-setup.log'), 'utf8'),
      ).toContain('$ npm ci');
    } finally {
      writeFileSync(lockfile, committed);
    }
  });

  it('.worktreeinclude naming node_modules does not copy it: deps provides it (issue 13 item 16)', async () => {
    writeFileSync(path.join(repo.root, '.worktreeinclude'), 'node_modules\n.env\n');
    try {
      const result = await cli(['included', '-n', '1', '--mux', 'none']);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('node_modules is provided by deps');
      expect(result.stderr).toContain('hard links');
      expect(lstatSync(candidate('included', 1, 'node_modules/gp-dep-a/index.js')).ino).toBe(
        lstatSync(main('gp-dep-a/index.js')).ino,
      );
      expect(
        readFileSync(path.join(repo.root, '.git/parallel/included/logs/1-setup.log'), 'utf8'),
      ).not.toContain('npm ci');
    } finally {
      execFileSync('rm', [path.join(repo.root, '.worktreeinclude')]);
    }
  });

  it('deps "none" leaves node_modules alone; a failing install is a setup failure', async () => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', deps: 'none' }),
    );
    expect((await cli(['nodeps', '-n', '1', '--mux', 'none'])).code).toBe(0);
    expect(() => lstatSync(candidate('nodeps', 1, 'node_modules'))).toThrow();

    // deps "install" always runs the package manager; here npm ci fails (package.json and the lockfile disagree).
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', deps: 'install' }),
    );
    const manifest = JSON.parse(readFileSync(path.join(repo.root, 'package.json'), 'utf8'));
    manifest.dependencies['gp-dep-c'] = 'file:vendor/gp-dep-c-1.0.0.tgz';
    writeFileSync(path.join(repo.root, 'package.json'), JSON.stringify(manifest));
    repo.commit('a dependency the lockfile lacks');
    const result = await cli(['broken', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/broken-1: deps "npm ci" exited with code \d+; its agent is not started/);
  });
});

describe('a project with a package.json but no lockfile (issue 11 item 5)', () => {
  let repo: TestRepo;
  const candidate = (task: string, n: number, file = '') =>
    path.join(repo.parent, 'app-worktrees', `${task}-${n}`, file);
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: NPM_ENV });
  const status = (task: string, n: number) =>
    execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: candidate(task, n),
      encoding: 'utf8',
    });

  beforeAll(() => {
    repo = makeRepo('app');
    const vendor = path.join(repo.root, 'vendor');
    mkdirSync(vendor);
    pack(repo.parent, 'gp-dep-a', '1.0.0', vendor);
    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: { 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz' },
      }),
    );
    repo.write('.gitignore', 'node_modules/\n');
    repo.write('.git-parallelrc.json', JSON.stringify({ agent: 'shell' }));
    repo.commit('an npm project without a lockfile');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('installs without writing a package-lock.json: git status is empty and compare counts nothing', async () => {
    const result = await cli(['nolock', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    for (const n of [1, 2]) {
      expect(readFileSync(candidate('nolock', n, 'node_modules/gp-dep-a/index.js'), 'utf8')).toContain(
        '1.0.0',
      );
      expect(existsSync(candidate('nolock', n, 'package-lock.json'))).toBe(false);
      expect(status('nolock', n)).toBe('');
    }
    const compare = JSON.parse((await runCli(['compare', 'nolock', '--json'], { cwd: repo.root })).stdout);
    expect(JSON.stringify(compare)).not.toContain('package-lock.json');
    for (const c of compare.candidates) expect(c.uncommitted).toEqual({ changed: 0, untracked: 0 });
  });

  it('a package.json without dependencies (the demo) installs nothing; a node_modules git would show is not made', async () => {
    repo.write(
      'package.json',
      JSON.stringify({ name: 'app', private: true, scripts: { test: 'node --test' } }),
    );
    repo.commit('no dependencies');
    const bare = await cli(['bare', '-n', '1', '--mux', 'none']);
    expect(bare.code).toBe(0);
    expect(existsSync(candidate('bare', 1, 'node_modules'))).toBe(false);
    expect(status('bare', 1)).toBe('');

    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: { 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz' },
      }),
    );
    repo.write('.gitignore', '');
    repo.commit('node_modules not ignored');
    const unignored = await cli(['unignored', '-n', '1', '--mux', 'none']);
    expect(unignored.code).toBe(0);
    expect(unignored.stderr).toContain('node_modules is not gitignored');
    expect(status('unignored', 1)).toBe('');
  });
});

describe('lifecycle scripts run only once approved (issue 13 item 5)', () => {
  let repo: TestRepo;
  const candidate = (task: string, n: number, file = '') =>
    path.join(repo.parent, 'app-worktrees', `${task}-${n}`, file);
  const cli = (args: string[]) =>
    runCli(args, {
      cwd: repo.root,
      env: { ...NPM_ENV, GIT_PARALLEL_TRUST: '', XDG_CONFIG_HOME: path.join(repo.parent, 'user-config') },
    });

  beforeAll(() => {
    repo = makeRepo('app');
    // The user's own choice of agent (no claude on PATH needed), in the user config beside the trust store.
    mkdirSync(path.join(repo.parent, 'user-config', 'git-parallel'), { recursive: true });
    writeFileSync(
      path.join(repo.parent, 'user-config', 'git-parallel', 'config.json'),
      JSON.stringify({ agent: 'shell' }),
    );
    const vendor = path.join(repo.root, 'vendor');
    mkdirSync(vendor);
    pack(repo.parent, 'gp-dep-a', '1.0.0', vendor);
    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        scripts: { postinstall: `node -e "require('fs').writeFileSync('postinstall.ran', '')"` },
        dependencies: { 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz' },
      }),
    );
    repo.write('.gitignore', 'node_modules/\npostinstall.ran\n');
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts'], {
      cwd: repo.root,
      env: { ...process.env, ...NPM_ENV },
    });
    repo.commit('a postinstall script; the main worktree has no node_modules');
  }, 60_000);
  afterAll(() => repo.cleanup());

  it('an unapproved install runs with --ignore-scripts and says so; once approved, the scripts run', async () => {
    const unapproved = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(unapproved.code, unapproved.stderr).toBe(0);
    expect(unapproved.stderr).toContain(
      'installing without lifecycle scripts (npm ci --ignore-scripts): the scripts of package.json and its dependencies are not approved',
    );
    expect(existsSync(candidate('t', 1, 'node_modules/gp-dep-a/index.js'))).toBe(true);
    expect(existsSync(candidate('t', 1, 'postinstall.ran'))).toBe(false);

    const review = await cli(['trust', '--dry-run']);
    expect(review.stdout).toContain(
      `  deps: npm ci with lifecycle scripts (package.json postinstall: node -e "require('fs').writeFileSync('postinstall.ran', '')"; and those of the dependencies)`,
    );
    const trusted = await cli(['trust']);
    expect(trusted.code, trusted.stderr).toBe(0);
    const approved = await cli(['u', '-n', '1', '--mux', 'none']);
    expect(approved.code).toBe(0);
    expect(approved.stderr).not.toContain('without lifecycle scripts');
    expect(existsSync(candidate('u', 1, 'postinstall.ran'))).toBe(true);

    // A changed script asks again: the new one does not run until approved.
    const pkg = JSON.parse(readFileSync(path.join(repo.root, 'package.json'), 'utf8'));
    pkg.scripts.postinstall = `node -e "require('fs').writeFileSync('postinstall.ran', 'changed')"`;
    repo.write('package.json', JSON.stringify(pkg));
    repo.commit('a changed postinstall');
    const changed = await cli(['v', '-n', '1', '--mux', 'none']);
    expect(changed.stderr).toContain('installing without lifecycle scripts');
    expect(existsSync(candidate('v', 1, 'postinstall.ran'))).toBe(false);
  });

  it('a --base whose package.json has other scripts than the approved ones runs none of them', async () => {
    expect((await cli(['trust'])).code).toBe(0);
    repo.git('checkout', '-q', '-b', 'other');
    const pkg = JSON.parse(readFileSync(path.join(repo.root, 'package.json'), 'utf8'));
    pkg.scripts.postinstall = `node -e "require('fs').writeFileSync('postinstall.ran', 'other')"`;
    repo.write('package.json', JSON.stringify(pkg));
    repo.commit('other scripts');
    repo.git('checkout', '-q', 'main');
    const result = await cli(['w', '-n', '1', '--mux', 'none', '--base', 'other']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "the lifecycle scripts in the run's base (package.json) differ from the approved ones",
    );
    expect(result.stderr).toContain('npm ci --ignore-scripts');
    expect(existsSync(candidate('w', 1, 'postinstall.ran'))).toBe(false);
  });
});

describe('a stale node_modules in the main worktree (issue 13 item 10)', () => {
  let repo: TestRepo;
  afterAll(() => repo.cleanup());

  it('is not shared when the lockfile changed since the last install: the candidate gets a real install', async () => {
    repo = makeRepo('app');
    const vendor = path.join(repo.root, 'vendor');
    mkdirSync(vendor);
    pack(repo.parent, 'gp-dep-a', '1.0.0', vendor);
    pack(repo.parent, 'gp-dep-b', '1.0.0', vendor);
    const npm = (...args: string[]) =>
      execFileSync('npm', args, { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...NPM_ENV } });
    const manifest = (deps: Record<string, string>) =>
      repo.write('package.json', JSON.stringify({ name: 'app', private: true, dependencies: deps }));
    manifest({ 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz' });
    repo.write('.gitignore', 'node_modules/\n');
    repo.write('.git-parallelrc.json', JSON.stringify({ agent: 'shell' }));
    npm('install');
    repo.commit('gp-dep-a');
    // A pull brings gp-dep-b; the main worktree is not reinstalled.
    manifest({ 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz', 'gp-dep-b': 'file:vendor/gp-dep-b-1.0.0.tgz' });
    // (--package-lock-only also rewrites npm's record in node_modules, which a pull never does: keep it.)
    const record = path.join(repo.root, 'node_modules/.package-lock.json');
    const installed = readFileSync(record);
    npm('install', '--package-lock-only');
    writeFileSync(record, installed);
    repo.commit('gp-dep-b');
    expect(existsSync(path.join(repo.root, 'node_modules/gp-dep-b'))).toBe(false);

    const result = await runCli(['stale', '-n', '1', '--mux', 'none'], { cwd: repo.root, env: NPM_ENV });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "dependencies: the main worktree's node_modules does not match its package-lock.json",
    );
    const worktree = path.join(repo.parent, 'app-worktrees', 'stale-1');
    expect(
      execFileSync('node', ['-e', "console.log(require('gp-dep-b'))"], { cwd: worktree, encoding: 'utf8' }),
    ).toBe('gp-dep-b 1.0.0\n');
    // Reinstalled, it is shared again.
    npm('install');
    const fresh = await runCli(['fresh', '-n', '1', '--mux', 'none'], { cwd: repo.root, env: NPM_ENV });
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).not.toContain('does not match');
  }, 60_000);
});

describe('hard links and install scripts (issue 13 item 8)', () => {
  let repo: TestRepo;
  afterAll(() => repo.cleanup());

  it('a package whose install script writes its own files is copied, so npm rebuild in one candidate changes no one else', async () => {
    repo = makeRepo('app');
    const source = path.join(repo.parent, 'gp-native-src');
    mkdirSync(source);
    writeFileSync(
      path.join(source, 'package.json'),
      JSON.stringify({
        name: 'gp-native',
        version: '1.0.0',
        scripts: {
          install: `node -e "require('fs').writeFileSync('built.txt', 'built at ' + process.hrtime.bigint())"`,
        },
      }),
    );
    writeFileSync(path.join(source, 'index.js'), 'module.exports = 1;\n');
    mkdirSync(path.join(repo.root, 'vendor'));
    const tarball = execFileSync(
      'npm',
      ['pack', '--silent', '--pack-destination', path.join(repo.root, 'vendor')],
      {
        cwd: source,
        encoding: 'utf8',
        env: { ...process.env, ...NPM_ENV },
      },
    ).trim();
    pack(repo.parent, 'gp-dep-a', '1.0.0', path.join(repo.root, 'vendor'));
    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies: { 'gp-native': `file:vendor/${tarball}`, 'gp-dep-a': 'file:vendor/gp-dep-a-1.0.0.tgz' },
      }),
    );
    repo.write('.gitignore', 'node_modules/\n');
    repo.write('.git-parallelrc.json', JSON.stringify({ agent: 'shell' }));
    const npm = (cwd: string, ...args: string[]) =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ...NPM_ENV } });
    npm(repo.root, 'install');
    repo.commit('a package with an install script');
    const result = await runCli(['native', '-n', '2', '--mux', 'none'], { cwd: repo.root, env: NPM_ENV });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('hard links');
    const built = (root: string) => path.join(root, 'node_modules/gp-native/built.txt');
    const wt = (n: number) => path.join(repo.parent, 'app-worktrees', `native-${n}`);
    // Plain packages are still hard links; the one with a script is a copy.
    expect(lstatSync(path.join(wt(1), 'node_modules/gp-dep-a/index.js')).ino).toBe(
      lstatSync(path.join(repo.root, 'node_modules/gp-dep-a/index.js')).ino,
    );
    expect(lstatSync(built(wt(1))).ino).not.toBe(lstatSync(built(repo.root)).ino);
    const before = readFileSync(built(repo.root), 'utf8');
    npm(wt(1), 'rebuild', 'gp-native');
    expect(readFileSync(built(wt(1)), 'utf8')).not.toBe(before);
    expect(readFileSync(built(repo.root), 'utf8')).toBe(before);
    expect(readFileSync(built(wt(2)), 'utf8')).toBe(before);
  }, 60_000);
});
