import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn, type StandIn } from '../helpers/stand-in-agent.js';

/** database.postgres against a real PostgreSQL server started for this file (no mock). */
describe('database.postgres', () => {
  let server: TestPostgres;
  let repo: TestRepo;
  let agent: StandIn;

  const query = async (database: string, sql: string, user = 'postgres') => {
    const client = new pg.Client({ connectionString: server.url(database, user) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const databases = async () =>
    (await query('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'app_dev%' ORDER BY 1")).map(
      (r) => r.datname,
    );

  beforeAll(async () => {
    server = await startPostgres();
    await query('postgres', 'CREATE DATABASE app_dev');
    await query(
      'app_dev',
      "CREATE TABLE users(id serial PRIMARY KEY, name text); INSERT INTO users(name) VALUES ('ada'), ('grace')",
    );
    await query('postgres', 'CREATE ROLE limited LOGIN');
  }, 60_000);
  afterAll(() => server?.stop());

  beforeEach(() => {
    repo = makeRepo('app');
    agent = makeStandIn(repo.parent);
  });
  afterEach(() => repo.cleanup());

  const config = (url: string, extra: Record<string, unknown> = {}) => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: { standin: agent.definition },
        database: { postgres: { url, env: 'DATABASE_URL' } },
        ...extra,
      }),
    );
  };
  const cli = (args: string[]) => runCli(args, { cwd: repo.root });
  const snapshot = () => ({
    worktrees: repo.git('worktree', 'list'),
    branches: repo.git('branch', '--list'),
  });

  it('gives each candidate its own copy of the template, in its environment, and drops them on rm', async () => {
    repo.write('.gitignore', '.env.local\n');
    repo.commit('ignore');
    config(server.url('app_dev'), {
      envFile: '.env.local',
      setup: ['echo "$DATABASE_URL"'],
    });
    const result = await cli(['add-auth', '-n', '2', '--mux', 'none']);
    expect(result.stderr).not.toMatch(/warning|error/i);
    expect(result.code).toBe(0);
    const recorded = JSON.parse(
      readFileSync(path.join(repo.root, '.git/parallel/add-auth/resources.json'), 'utf8'),
    ).postgres.databases.map((d: { database: string }) => d.database);
    expect(recorded).toEqual([
      expect.stringMatching(/^app_dev_add_auth_[0-9a-f]{8}_1$/),
      expect.stringMatching(/^app_dev_add_auth_[0-9a-f]{8}_2$/),
    ]);
    expect(await databases()).toEqual(['app_dev', ...recorded]);
    for (const n of [1, 2]) {
      const database = recorded[n - 1];
      expect((await query(database, 'SELECT name FROM users ORDER BY id')).map((r) => r.name)).toEqual([
        'ada',
        'grace',
      ]);
      const url = server.url(database);
      const log = readFileSync(path.join(repo.root, `.git/parallel/add-auth/logs/${n}-setup.log`), 'utf8');
      expect(log).toContain(url);
      const envFile = readFileSync(
        path.join(repo.parent, 'app-worktrees', `add-auth-${n}`, '.env.local'),
        'utf8',
      );
      expect(envFile).toContain(`DATABASE_URL=${url}\n`);
      // The agent gets it too.
      expect((await cli(['launch', 'add-auth', String(n)])).code).toBe(0);
      expect(agent.record(n).env.DATABASE_URL).toBe(url);
    }
    // The candidates' databases are their own.
    await query(recorded[0], "INSERT INTO users(name) VALUES ('linus')");
    expect(await query('app_dev', 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }]);

    expect((await cli(['rm', 'add-auth'])).code).toBe(0);
    expect(await databases()).toEqual(['app_dev']);
  });

  it('says in one line when the server is unreachable, and creates nothing', async () => {
    const before = snapshot();
    config(`postgres://postgres@127.0.0.1:${server.port === 65535 ? 1 : server.port + 1}/app_dev`);
    const result = await cli(['down', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^git parallel: cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED\); start the server or fix database\.postgres\.url$/,
    );
    expect(snapshot()).toEqual(before);
  });

  it('says in one line when the template is in use', async () => {
    const holder = new pg.Client({ connectionString: server.url('app_dev') });
    await holder.connect();
    try {
      config(server.url('app_dev'));
      const result = await cli(['busy', '-n', '1', '--mux', 'none']);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('the template database app_dev is in use by other sessions');
    } finally {
      await holder.end();
    }
    expect(await databases()).toEqual(['app_dev']);
  });

  it('says in one line when the role may not create databases, or the template does not exist', async () => {
    config(server.url('app_dev', 'limited'));
    const refused = await cli(['norole', '-n', '1', '--mux', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'git parallel: the PostgreSQL role limited may not create databases; grant it (ALTER ROLE limited CREATEDB) or use a role that may',
    );

    config(server.url('no_such_db'));
    const missing = await cli(['nodb', '-n', '1', '--mux', 'none']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the database no_such_db does not exist on 127.0.0.1:${server.port}`);
  });

  it('drops the databases already created when a later step fails (rollback)', async () => {
    config(server.url('app_dev'), { setup: ['exit 7'] });
    const result = await cli(['rollback', '-n', '2', '--mux', 'none', '--strict-setup']);
    expect(result.code).toBe(1);
    expect(await databases()).toEqual(['app_dev']);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('two repositories with the same task, and tasks Feat/feat and a-1/a_1, get databases of their own (issue 13 item 13)', async () => {
    const other = makeRepo('app');
    try {
      config(server.url('app_dev'));
      writeFileSync(
        path.join(other.root, '.git-parallelrc.json'),
        JSON.stringify({ agent: 'shell', database: { postgres: { url: server.url('app_dev') } } }),
      );
      for (const task of ['pg1', 'Feat', 'feat', 'a-1', 'a_1'])
        expect((await cli([task, '-n', '1', '--mux', 'none'])).code, task).toBe(0);
      const elsewhere = await runCli(['pg1', '-n', '1', '--mux', 'none'], { cwd: other.root });
      expect(elsewhere.stderr).toBe(elsewhere.stderr.replace(/already exists/, ''));
      expect(elsewhere.code).toBe(0);
      expect(await databases()).toHaveLength(7);
      for (const task of ['pg1', 'Feat', 'feat', 'a-1', 'a_1'])
        expect((await cli(['rm', task])).code).toBe(0);
      expect(await databases()).toHaveLength(2);
      expect((await runCli(['rm', 'pg1'], { cwd: other.root })).code).toBe(0);
      expect(await databases()).toEqual(['app_dev']);
    } finally {
      other.cleanup();
    }
  });

  it("takes libpq's user@/db?host=… form, a user and no host (issue 13 item 16)", async () => {
    config(`postgres://postgres@/app_dev?host=127.0.0.1&port=${server.port}`);
    const result = await cli(['sock', '-n', '1', '--mux', 'none']);
    expect(result.stderr).not.toContain('not a URL');
    expect(result.code).toBe(0);
    expect(await databases()).toHaveLength(2);
    expect((await cli(['rm', 'sock'])).code).toBe(0);
    expect(await databases()).toEqual(['app_dev']);
  });
});
