import { chmod, copyFile, mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { run } from './exec.js';
import { which } from './which.js';

/**
 * A consistent copy of a SQLite database that may be in use (a dev server writing to it, WAL mode).
 * Copying the file alone is a defect: committed transactions may still sit in the `-wal` file, and a
 * write during the copy tears it. The copy is taken with `VACUUM INTO`, SQLite's own snapshot copy:
 *
 * - it reads inside one read transaction, so the copy is exactly the database as of one commit,
 *   including what is still in the WAL, while writers go on (in WAL mode readers do not block writers);
 * - unlike the online backup API (the shell's `.backup` copies 100 pages per step and restarts whenever
 *   another process writes between steps), it cannot be starved by a writer that never pauses;
 * - it works on a read-only connection, so the main worktree's database is never written to, not even
 *   checkpointed.
 *
 * Through Node's built-in `node:sqlite` where this Node has it (22.13+ without a flag), else through the
 * `sqlite3` command. Without either, git-parallel refuses rather than risk a torn copy.
 */
const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Throws a one-line usage error when the file exists but is not a SQLite database; false when it is missing. */
export async function assertSqliteFile(file: string, shown: string): Promise<boolean> {
  const stats = await stat(file).catch(() => null);
  if (!stats) return false;
  if (!stats.isFile()) throw new UsageError(`database.sqlite: ${shown} is not a file`);
  // An empty file is a valid, empty database for SQLite.
  if (stats.size === 0) return true;
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(HEADER.length);
    const { bytesRead } = await handle.read(head, 0, HEADER.length, 0);
    if (bytesRead < HEADER.length || !head.equals(HEADER)) {
      throw new UsageError(
        `database.sqlite: ${shown} is not a SQLite database (it lacks the "SQLite format 3" header)`,
      );
    }
  } finally {
    await handle.close();
  }
  return true;
}

/** Whether the database's header says WAL mode (file format bytes 18 and 19 are 2). */
async function isWalMode(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(2);
    await handle.read(bytes, 0, 2, 18);
    return bytes[0] === 2 && bytes[1] === 2;
  } finally {
    await handle.close();
  }
}

export type SqliteCopier = (source: string, target: string) => Promise<void>;

/** The way this machine can take a consistent copy, or a usage error that says what to install. */
export async function findSqliteCopier(env: NodeJS.ProcessEnv, cwd: string): Promise<SqliteCopier> {
  const builtin = await loadNodeSqlite();
  if (builtin) {
    return async (source, target) => {
      const db = new builtin.DatabaseSync(source, { readOnly: true });
      try {
        db.exec('PRAGMA busy_timeout = 10000');
        db.exec(`VACUUM INTO ${sqlString(target)}`);
      } finally {
        db.close();
      }
    };
  }
  const cli = await which('sqlite3', cwd, env);
  if (cli) {
    return async (source, target) => {
      await run(cli, ['-readonly', '-bail', source], {
        cwd,
        env,
        input: `.timeout 10000\nVACUUM INTO ${sqlString(target)};\n`,
      });
    };
  }
  throw new UsageError(
    'database.sqlite: copying a live SQLite database safely needs the sqlite3 command (apt install sqlite3, brew install sqlite) or Node 22.13+',
  );
}

/**
 * Takes one snapshot of `source` into `snapshot` (keeping WAL mode and the file mode), to be copied to
 * every candidate with a plain file copy: a snapshot nobody has open cannot tear, and every candidate
 * starts from the same state.
 */
export async function snapshotSqlite(
  copier: SqliteCopier,
  source: string,
  snapshot: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await mkdir(path.dirname(snapshot), { recursive: true });
  await rm(snapshot, { force: true });
  await copier(source, snapshot);
  if ((await stat(source)).size > 0 && (await isWalMode(source))) {
    // VACUUM INTO writes a rollback-journal database; give the copy the source's WAL mode back.
    const cli = await which('sqlite3', path.dirname(snapshot), env);
    const builtin = cli ? null : await loadNodeSqlite();
    if (cli)
      await run(cli, [snapshot], { cwd: path.dirname(snapshot), env, input: 'PRAGMA journal_mode=WAL;\n' });
    else if (builtin) {
      const db = new builtin.DatabaseSync(snapshot);
      db.exec('PRAGMA journal_mode=WAL');
      db.close();
    }
  }
  await chmod(snapshot, (await stat(source)).mode & 0o7777);
}

export async function placeSnapshot(snapshot: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(snapshot, target);
  await chmod(target, (await stat(snapshot)).mode & 0o7777);
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

interface NodeSqlite {
  DatabaseSync: new (
    file: string,
    options?: { readOnly?: boolean },
  ) => { exec(sql: string): void; close(): void };
}

async function loadNodeSqlite(): Promise<NodeSqlite | null> {
  try {
    // A variable keeps bundlers and type checkers from resolving a module Node 20 does not have.
    const name = 'node:sqlite';
    return (await import(name)) as NodeSqlite;
  } catch {
    return null;
  }
}
