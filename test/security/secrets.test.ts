import { chmodSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Issue 13 item 7: secrets stay private. A run with a PostgreSQL URL holding a password and a copied
 * `.env` holding a secret; then every file of the run's state, every log, every candidate file and every
 * --json document is searched: neither secret appears anywhere but in files of mode 0600.
 */
const PASSWORD = 'pw-Zq81-never-printed';
const SECRET = 'dotenv-secret-7hX2';

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'objects' && entry.name !== 'node_modules') found.push(...filesUnder(full));
    } else if (entry.isFile()) found.push(full);
  }
  return found;
}

describe('no secret leaks', () => {
  let server: TestPostgres;
  let repo: TestRepo;

  beforeAll(async () => {
    server = await startPostgres();
    const client = new pg.Client({ connectionString: server.url('postgres') });
    await client.connect();
    await client.query('CREATE DATABASE app_dev');
    await client.end();
    repo = makeRepo('app');
    repo.write('.gitignore', '.env\n.env.local\n');
    repo.commit('ignore');
    repo.write('.env', `API_KEY=${SECRET}\n`);
    chmodSync(path.join(repo.root, '.env'), 0o600);
    repo.write('.env.local', 'LOCAL=1\n');
    chmodSync(path.join(repo.root, '.env.local'), 0o600);
    // Trust authentication ignores the password, so the server accepts it while the tool must hide it.
    const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${server.port}/app_dev`;
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'shell',
        copy: ['.env', '.env.local'],
        envFile: '.env.local',
        database: { postgres: { url } },
        // A setup that prints its environment: the log then holds the password, and must be 0600.
        setup: ['echo "$DATABASE_URL"; cat .env'],
        // A check that prints them too: compare's check logs must be 0600 as well.
        check: 'echo "$DATABASE_URL"; cat .env',
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await runCli(['rm', 't', '--force'], { cwd: repo.root });
    repo.cleanup();
    server?.stop();
  });

  it('finds the PostgreSQL password and the .env secret in no output, and in no file that is not 0600', async () => {
    const outputs: string[] = [];
    const run = await runCli(['t', '-n', '2', '--mux', 'none', '--json'], { cwd: repo.root });
    expect(run.code).toBe(0);
    outputs.push(run.stdout, run.stderr);
    for (const args of [['status', 't'], ['list'], ['ports', 't'], ['compare', 't']]) {
      for (const json of [true, false]) {
        const result = await runCli([...args, ...(json ? ['--json'] : [])], { cwd: repo.root });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        outputs.push(result.stdout, result.stderr);
      }
    }
    for (const text of outputs) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(SECRET);
    }
    // The redacted URL is still there: --json redacts, it does not drop the fact.
    expect(JSON.parse(run.stdout).run.candidates[0].env.DATABASE_URL).toMatch(
      /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/app_dev_/,
    );

    const worktrees = path.join(repo.parent, 'app-worktrees');
    const holders: { file: string; mode: number }[] = [];
    for (const file of [...filesUnder(path.join(repo.root, '.git')), ...filesUnder(worktrees)]) {
      const text = readFileSync(file, 'latin1');
      if (text.includes(PASSWORD) || text.includes(SECRET))
        holders.push({ file: path.relative(repo.parent, file), mode: lstatSync(file).mode & 0o777 });
    }
    // Where the secrets must be: the state (run.json, resources.json) and each candidate's .env and envFile.
    expect(holders.map((h) => h.file).sort()).toEqual(
      [
        'app/.git/parallel/t/checks/1.log',
        'app/.git/parallel/t/checks/2.log',
        'app/.git/parallel/t/logs/1-setup.log',
        'app/.git/parallel/t/logs/2-setup.log',
        'app/.git/parallel/t/resources.json',
        'app/.git/parallel/t/run.json',
        'app-worktrees/t-1/.env',
        'app-worktrees/t-1/.env.local',
        'app-worktrees/t-2/.env',
        'app-worktrees/t-2/.env.local',
      ].sort(),
    );
    for (const holder of holders) expect(holder, holder.file).toMatchObject({ mode: 0o600 });
    expect(lstatSync(path.join(repo.root, '.git/parallel')).mode & 0o777).toBe(0o700);
  });
});
