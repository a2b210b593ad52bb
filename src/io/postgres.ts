import {
  candidateDatabaseName,
  databaseOf,
  quoteIdentifier,
  redact,
  withDatabase,
} from '../core/database-name.js';
import { CommandFailure, UsageError } from '../errors.js';

/** Messages name a database URL without its password (core/database-name.ts). */
export { redact };

/**
 * A PostgreSQL database per candidate: `CREATE DATABASE <template>_<task>_<n> TEMPLATE <template>`,
 * PostgreSQL's own copy of a database (file level, fast, and consistent). The `pg` package is loaded only
 * when a run uses this, so other commands start no slower.
 *
 * Statements run on the server's maintenance database (`postgres`, else `template1`), because
 * PostgreSQL refuses to copy a template that has any connection open, ours included.
 */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

async function connect(url: string): Promise<PgClient> {
  const { default: pg } = (await import('pg')) as unknown as {
    default: {
      Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient;
    };
  };
  const maintenance = ['postgres', 'template1'];
  let lastError: unknown = null;
  for (const database of maintenance) {
    const client = new pg.Client({
      connectionString: withDatabase(url, database),
      connectionTimeoutMillis: 10_000,
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
      // Only a missing maintenance database is worth another try; anything else is the answer.
      if ((error as { code?: string }).code !== '3D000') break;
    }
  }
  throw explain(lastError, url, null);
}

/**
 * Checks, before anything is created, what CREATE DATABASE … TEMPLATE needs: a reachable server, a role
 * that may create databases, a template that exists and that nobody is connected to. The same errors
 * are mapped again when the databases are created, for whatever changes in between.
 */
export async function checkPostgres(url: string): Promise<void> {
  const template = databaseOf(url);
  if (!template)
    throw new UsageError(
      `database.postgres.url ${redact(url)} names no database to copy; add its name, e.g. postgres://localhost:5432/app_dev`,
    );
  const client = await connect(url);
  try {
    const literal = `'${template.replaceAll("'", "''")}'`;
    const role = (
      await client.query('SELECT rolcreatedb OR rolsuper AS may FROM pg_roles WHERE rolname = current_user')
    ).rows[0];
    if (!role?.may) throw explain({ code: '42501' }, url, null);
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = ${literal}`);
    if (exists.rows.length === 0) throw explain({ code: '3D000' }, url, { template, database: '' });
    const sessions = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${literal}`,
    );
    if (Number(sessions.rows[0]?.n ?? 0) > 0)
      throw explain({ code: '55006' }, url, { template, database: '' });
  } finally {
    await client.end().catch(() => {});
  }
}

export interface CreatedDatabase {
  n: number;
  database: string;
  url: string;
}

/**
 * Creates one database per candidate from the template the URL names, one after another on one
 * connection. `onCreated` is called after each, so the caller can record it before the next (a failure
 * half way then still lets `rm` drop what exists).
 */
export async function createCandidateDatabases(
  url: string,
  repository: string,
  task: string,
  candidates: readonly number[],
  onCreated: (created: CreatedDatabase) => Promise<void>,
): Promise<CreatedDatabase[]> {
  const template = databaseOf(url);
  if (!template)
    throw new UsageError(
      `database.postgres.url ${redact(url)} names no database to copy; add its name, e.g. postgres://localhost:5432/app_dev`,
    );
  const client = await connect(url);
  const created: CreatedDatabase[] = [];
  try {
    for (const n of candidates) {
      const database = candidateDatabaseName(template, task, n, repository);
      try {
        await client.query(
          `CREATE DATABASE ${quoteIdentifier(database)} TEMPLATE ${quoteIdentifier(template)}`,
        );
      } catch (error) {
        throw explain(error, url, { template, database });
      }
      const entry = { n, database, url: withDatabase(url, database) };
      created.push(entry);
      await onCreated(entry);
    }
  } finally {
    await client.end().catch(() => {});
  }
  return created;
}

/**
 * Drops candidate databases (that this tool created and recorded). FORCE (PostgreSQL 13+) ends the
 * connections a candidate's dev server may still hold: the run is being removed.
 */
export async function dropDatabases(url: string, databases: readonly string[]): Promise<void> {
  if (databases.length === 0) return;
  const client = await connect(url);
  try {
    const version = Number((await client.query('SHOW server_version_num')).rows[0]?.server_version_num ?? 0);
    for (const database of databases) {
      const force = version >= 130000 ? ' WITH (FORCE)' : '';
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}${force}`);
      } catch (error) {
        throw explain(error, url, { template: null, database });
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** One clear line for what usually goes wrong; the server's own words otherwise. */
function explain(
  error: unknown,
  url: string,
  names: { template: string | null; database: string } | null,
): Error {
  const err = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = err.code ?? err.errors?.[0]?.code;
  const where = describeServer(url);
  const user = safeUser(url);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ENOENT':
    case 'EAI_AGAIN':
      return new UsageError(
        `cannot reach PostgreSQL at ${where} (${code}); start the server or fix database.postgres.url`,
      );
    case '28P01':
    case '28000':
      return new UsageError(
        `PostgreSQL at ${where} refused the login of ${user}: ${firstLine(err.message)}; fix the user or password in database.postgres.url`,
      );
    case '42501':
      return new UsageError(
        `the PostgreSQL role ${user} may not create databases; grant it (ALTER ROLE ${user} CREATEDB) or use a role that may`,
      );
    case '55006':
      return new UsageError(
        `the template database ${names?.template ?? databaseOf(url)} is in use by other sessions (a dev server, psql?); PostgreSQL copies a template only while nobody is connected to it: close them and run again`,
      );
    case '3D000':
      return new UsageError(
        `the database ${names?.template ?? databaseOf(url)} does not exist on ${where}; create it or fix database.postgres.url`,
      );
    case '42P04':
      return new UsageError(
        `the database ${names?.database} already exists on ${where}; its name is this repository's and this task's own, so it is left from an earlier run of this task that was not removed: if nothing uses it, drop it (dropdb ${names?.database}), or use another task name`,
      );
  }
  if (/timeout/i.test(err.message ?? '')) {
    return new UsageError(
      `cannot reach PostgreSQL at ${where} (timed out); start the server or fix database.postgres.url`,
    );
  }
  return new CommandFailure(`PostgreSQL at ${where}: ${firstLine(err.message)}`);
}

function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const socket = parsed.searchParams.get('host');
    return socket ? socket : `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return redact(url);
  }
}

function safeUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'the current user';
  } catch {
    return 'the current user';
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? 'unknown error').split('\n')[0]!;
}
