import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** Issue 15 item 2: `--dry-run` prints the run's whole plan, preparation included, and creates nothing. */
describe('git parallel <task> --dry-run', () => {
  let repo: TestRepo;

  beforeEach(() => {
    repo = makeRepo('app');
    repo.write('.gitignore', '.env\nnode_modules/\n');
    repo.write('package.json', JSON.stringify({ name: 'app', dependencies: { 'left-pad': '1.3.0' } }));
    repo.write('package-lock.json', JSON.stringify({ name: 'app', lockfileVersion: 3, packages: {} }));
    repo.write(
      '.git-parallelrc.json',
      JSON.stringify({
        agent: 'writer',
        agents: { writer: { command: '/bin/sh', prompt: 'positional' } },
        ports: { PORT: 4000 },
        copy: ['.env'],
        database: { postgres: { url: 'postgres://dev:s3cret@localhost:5432/app_dev' } },
        setup: ['npm run migrate'],
      }),
    );
    repo.commit('an npm project');
    // The main worktree has a gitignored .env and no node_modules: the candidates get an install.
    repo.write('.env', 'SECRET=1\n');
  });
  afterEach(() => repo.cleanup());

  // Not approved (the test setup approves everything): a dry run asks for no approval, and shows the install
  // that an unapproved run makes.
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: { GIT_PARALLEL_TRUST: '0' } });
  const worktrees = () => path.join(repo.parent, 'app-worktrees');

  function expectNothingCreated(): void {
    expect(existsSync(worktrees())).toBe(false);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(repo.git('branch', '--format=%(refname:short)')).toBe('main');
    const state = path.join(repo.root, '.git', 'parallel');
    expect(existsSync(state) ? readdirSync(state).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    expect(readdirSync(repo.parent)).toEqual(['app']);
  }

  it('prints files, the dependency method, the databases, ports, commands and the prompt', async () => {
    const result = await cli(['t', '-n', '2', '--mux', 'none', '-p', 'Add a login form', '--dry-run']);
    expect(result.stderr).toBe(
      'warning: installing without lifecycle scripts (npm ci --ignore-scripts): the scripts of package.json and its dependencies are not approved; git parallel trust approves them\n',
    );
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/t-1 {2}branch t-1 {2}\S+app-worktrees\/t-1 {2}writer {2}PORT=4\d{3}/);
    expect(out).toContain("/bin/sh -- 'Add a login form'");
    expect(out).toContain('copy .env');
    expect(out).toMatch(
      /dependencies: install \(npm ci --ignore-scripts\), the main worktree has no node_modules/,
    );
    expect(out).toMatch(/DATABASE_URL: database app_dev_t_[0-9a-f]{8}_1/);
    expect(out).toContain('database.postgres: a copy of postgres://dev:***@localhost:5432/app_dev each');
    expect(out).toContain('setup: npm run migrate');
    expect(out).toContain('The prompt (16 characters):\n  Add a login form');
    expect(out).not.toContain('s3cret');
    expectNothingCreated();
  });

  it('--json holds the same plan as one document', async () => {
    const result = await cli([
      't',
      '-n',
      '2',
      '--mux',
      'none',
      '-p',
      'Add a login form',
      '--dry-run',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.dryRun).toBe(true);
    expect(doc.plan.candidates.map((c: { ports: { PORT: number } }) => c.ports.PORT)).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(doc.agents.map((a: { argv: string[]; prompt: string }) => [a.argv, a.prompt])).toEqual([
      [['/bin/sh', '--', 'Add a login form'], 'argument'],
      [['/bin/sh', '--', 'Add a login form'], 'argument'],
    ]);
    expect(doc.prompt).toBe('Add a login form');
    expect(doc.preparation.files).toEqual([{ path: '.env', isDir: false, how: 'copy' }]);
    expect(doc.preparation.deps).toEqual({
      method: 'install',
      reason: 'the main worktree has no node_modules',
      install: 'npm ci --ignore-scripts',
    });
    expect(doc.preparation.postgres.url).toBe('postgres://dev:***@localhost:5432/app_dev');
    expect(doc.preparation.postgres.databases.map((d: { n: number }) => d.n)).toEqual([1, 2]);
    expect(doc.preparation.setup).toEqual(['npm run migrate']);
    expect(doc.session).toBeNull();
    expect(result.stdout).not.toContain('s3cret');
    expectNothingCreated();
  });

  it('shows the method a real run then uses: a --base with another lockfile installs', async () => {
    // The main worktree has node_modules, installed from the lockfile of main; the base has another lockfile.
    repo.git('checkout', '-q', '-b', 'other');
    repo.write('package-lock.json', JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { x: {} } }));
    repo.commit('another lockfile');
    repo.git('checkout', '-q', 'main');
    repo.write(
      'node_modules/.package-lock.json',
      JSON.stringify({ name: 'app', lockfileVersion: 3, packages: {} }),
    );
    const doc = JSON.parse(
      (await cli(['t', '-n', '1', '--mux', 'none', '--base', 'other', '--dry-run', '--json'])).stdout,
    );
    expect(doc.preparation.deps.reason).toBe("package-lock.json differs from the main worktree's");
    const same = JSON.parse((await cli(['t', '-n', '1', '--mux', 'none', '--dry-run', '--json'])).stdout);
    expect(same.preparation.deps.method).toMatch(/^(clone|hardlink)$/);
    expect(existsSync(worktrees())).toBe(false);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  });
});
