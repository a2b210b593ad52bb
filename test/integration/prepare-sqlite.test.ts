import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { waitFor } from '../helpers/stand-in-agent.js';

const sqlite = (db: string, sql: string) => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();

/** database.sqlite: each candidate gets a consistent copy of a live database. Needs the sqlite3 command. */
describe('database.sqlite', () => {
  let repo: TestRepo;
  let writer: ChildProcess | null = null;
  const db = () => path.join(repo.root, 'data/dev.db');
  const copy = (task: string, n: number) =>
    path.join(repo.parent, 'app-worktrees', `${task}-${n}`, 'data/dev.db');
  const cli = (args: string[]) => runCli(args, { cwd: repo.root });

  beforeEach(() => {
    repo = makeRepo('app');
    repo.write('.gitignore', 'data/*.db*\n');
    repo.write(
      '.git-parallelrc.json',
      JSON.stringify({ agent: 'shell', database: { sqlite: ['data/dev.db'] } }),
    );
    repo.commit('config');
    mkdirSync(path.join(repo.root, 'data'), { recursive: true });
    // Every transaction adds one row to a and one to b: in any consistent copy the counts are equal.
    sqlite(
      db(),
      `PRAGMA journal_mode=WAL; CREATE TABLE a(id INTEGER PRIMARY KEY, v BLOB); CREATE TABLE b(id INTEGER PRIMARY KEY, v BLOB);
       WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) INSERT INTO a(v) SELECT randomblob(200) FROM c;
       INSERT INTO b(v) SELECT v FROM a;`,
    );
  });
  afterEach(async () => {
    if (writer) {
      writer.stdin?.end();
      writer.kill();
      await new Promise((resolve) => writer!.once('close', resolve));
      writer = null;
    }
    repo.cleanup();
  });

  /** A dev server stand-in: keeps the database open in WAL mode and commits as fast as it can, never checkpointing. */
  function startWriter(): void {
    const child = spawn('sqlite3', [db()], { stdio: ['pipe', 'ignore', 'inherit'] });
    writer = child;
    child.stdin!.on('error', () => {});
    child.stdin!.write('PRAGMA busy_timeout=10000; PRAGMA wal_autocheckpoint=0;\n');
    const pump = () => {
      while (writer === child) {
        const statement =
          'BEGIN; INSERT INTO a(v) VALUES (randomblob(200)); INSERT INTO b(v) VALUES (randomblob(200)); COMMIT;\n';
        if (!child.stdin!.write(statement)) {
          child.stdin!.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  it('copies a live WAL database consistently while a writer commits continuously', async () => {
    chmodSync(db(), 0o640);
    startWriter();
    // Rows committed so far sit in the -wal file (no checkpoint): a copy of dev.db alone would miss them.
    const before = await waitFor(() => {
      const count = Number(sqlite(db(), 'SELECT count(*) FROM a'));
      return count > 20_500 ? count : undefined;
    }, 'the writer to commit');
    expect(statSync(`${db()}-wal`).size).toBeGreaterThan(0);

    const result = await cli(['snap', '-n', '3', '--mux', 'none']);
    expect(result.stderr).not.toMatch(/warning|error/i);
    expect(result.code).toBe(0);
    for (const n of [1, 2, 3]) {
      const file = copy('snap', n);
      expect(sqlite(file, 'PRAGMA integrity_check')).toBe('ok');
      const [a, b] = sqlite(file, 'SELECT count(*) FROM a; SELECT count(*) FROM b').split('\n').map(Number);
      expect(a).toBe(b);
      expect(a).toBeGreaterThanOrEqual(before);
      expect(sqlite(file, 'PRAGMA journal_mode')).toBe('wal');
      expect(statSync(file).mode & 0o777).toBe(0o640);
      // The copy is the candidate's own: writing to it leaves the main database alone.
      sqlite(file, 'DELETE FROM a');
    }
    expect(Number(sqlite(db(), 'SELECT count(*) FROM a'))).toBeGreaterThanOrEqual(before);
    expect(repo.git('-C', path.dirname(path.dirname(copy('snap', 1))), 'status', '--porcelain')).toBe('');
  });

  it('the snapshot wins over a copy of the folder: no raw -wal/-shm copies, no false "tracked by git" warning (issue 13 item 11)', async () => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', copy: ['data'], database: { sqlite: ['data/dev.db'] } }),
    );
    repo.commit('copy the data folder too');
    writeFileSync(path.join(repo.root, 'data/extra.db.txt'), 'seed\n');
    startWriter();
    await waitFor(
      () => (Number(sqlite(db(), 'SELECT count(*) FROM a')) > 20_500 ? true : undefined),
      'commits',
    );
    expect(statSync(`${db()}-wal`).size).toBeGreaterThan(0);
    const result = await cli(['both', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/warning|tracked by git/i);
    const counts: number[] = [];
    for (const n of [1, 2]) {
      const file = copy('both', n);
      // The copied folder's other files arrive; the database is the snapshot, with no raw WAL beside it.
      expect(readFileSync(path.join(path.dirname(file), 'extra.db.txt'), 'utf8')).toBe('seed\n');
      expect(existsSync(`${file}-shm`)).toBe(false);
      expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
      expect(sqlite(file, 'PRAGMA integrity_check')).toBe('ok');
      const [a, b] = sqlite(file, 'SELECT count(*) FROM a; SELECT count(*) FROM b').split('\n').map(Number);
      expect(a).toBe(b);
      counts.push(a!);
    }
    // Every candidate starts from the same state: one snapshot, copied.
    expect(counts[0]).toBe(counts[1]);
  });

  it('refuses a path that is not a SQLite database with one line, and warns about a missing one', async () => {
    writeFileSync(db(), 'not a database at all\n');
    const refused = await cli(['notdb', '-n', '1', '--mux', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'git parallel: database.sqlite: data/dev.db is not a SQLite database (it lacks the "SQLite format 3" header)',
    );

    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', database: { sqlite: ['data/missing.db'] } }),
    );
    const missing = await cli(['nodb', '-n', '1', '--mux', 'none']);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain('database.sqlite: data/missing.db does not exist in the main worktree');
    expect(readFileSync(path.join(repo.root, '.gitignore'), 'utf8')).toBe('data/*.db*\n');
  });
});
