import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { makeRepo } from '../helpers/repo.js';

interface PackedFile {
  path: string;
  size: number;
}

/** Apparent size of a folder's files, in bytes (what `du -sb` counts). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * Issue 11 item 11: what `npm pack` puts in the tarball, and a global install of it into a private
 * prefix, run as a user runs it: only what runs is there, and it runs without any node_modules.
 */
describe('the npm package', () => {
  let temp: string;
  let tarball: string;
  let files: string[];
  let prefix: string;
  let installed: string;
  beforeAll(() => {
    temp = realpathSync(mkdtempSync(path.join(tmpdir(), 'gp-pack-')));
    // The tests run on a fresh build (`npm test` builds first); packing must not build again.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string; files: PackedFile[] }[];
    tarball = path.join(temp, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);
    prefix = path.join(temp, 'prefix');
    execFileSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
      { cwd: temp, stdio: 'pipe' },
    );
    installed = path.join(prefix, 'lib', 'node_modules', 'git-parallel');
  }, 120_000);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('carries the code that runs, the layouts, the licence and the readme; no source maps, no meta.json', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('bin/git-parallel.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('layouts/tiled.tmux');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files).not.toContain('dist/meta.json');
    // The man pages (git parallel --help) and the shell completion scripts ship too.
    expect(files).toContain('man/man1/git-parallel.1');
    expect(files).toContain('completion/git-parallel.bash');
    expect(files.filter((f) => !/^(bin|completion|dist|layouts|man)\//.test(f)).sort()).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    expect(readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('declares no runtime dependencies (all are bundled into dist/), and says where the project lives', () => {
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(manifest.bugs.url).toMatch(/^https:\/\//);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    // A global install is this package alone: nothing under node_modules.
    expect(readdirSync(installed).sort()).toEqual([
      'LICENSE',
      'README.md',
      'bin',
      'completion',
      'dist',
      'layouts',
      'man',
      'package.json',
    ]);
  });

  it('the README states the installed size as measured (within a quarter)', () => {
    const bytes = folderBytes(installed);
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const stated = readme.match(/installs as one package of ([\d.]+) MB/);
    expect(stated, 'the README says "installs as one package of N MB"').not.toBeNull();
    const megabytes = bytes / 1e6;
    expect(Math.abs(megabytes - Number(stated![1])) / megabytes).toBeLessThan(0.25);
  });

  it('runs from the global install with no node_modules: help, status, and a TypeScript config', () => {
    const repo = makeRepo();
    try {
      writeFileSync(
        path.join(repo.root, 'git-parallel.config.ts'),
        "type Lineup = `${string}:${number}`;\nconst lineup: Lineup = 'sh:2';\nexport default { lineup, agents: { sh: { command: '/bin/sh' } } };\n",
      );
      // The installed bin only: PATH has the prefix and the system, never this checkout's node_modules.
      const env = {
        PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/local/bin:/usr/bin:/bin'].join(
          path.delimiter,
        ),
        HOME: temp,
        XDG_CONFIG_HOME: path.join(temp, 'xdg'),
      };
      const run = (args: string[]) =>
        spawnSync('git', ['parallel', ...args], { cwd: repo.root, env, encoding: 'utf8' });
      const help = run(['status', '--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain('status');
      const status = run(['status']);
      expect(status.status, status.stderr).toBe(0);
      const plan = run(['t', '--dry-run', '--json', '--mux', 'none']);
      expect(plan.status, plan.stderr).toBe(0);
      expect(JSON.parse(plan.stdout).plan.candidates.map((c: { agent: string }) => c.agent)).toEqual([
        'sh',
        'sh',
      ]);
      // diff2html (and its stylesheet) come from dist/: the HTML report needs nothing else.
      const created = run(['t', '--mux', 'none', '--trust']);
      expect(created.status, created.stderr).toBe(0);
      writeFileSync(path.join(repo.parent, 'app-worktrees', 't-1', 'new.txt'), 'a change\n');
      const report = path.join(temp, 'report.html');
      const compared = run(['compare', 't', '--html', report]);
      expect(compared.status, compared.stderr).toBe(0);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain(
        readFileSync(
          path.join(REPO_ROOT, 'node_modules/diff2html/bundles/css/diff2html.min.css'),
          'utf8',
        ).slice(0, 200),
      );
      expect(html).toContain('new.txt');
    } finally {
      repo.cleanup();
    }
  });
});
