import { createHash } from 'node:crypto';

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;

/**
 * The candidate's database: `<template>_<task>_<id>_<n>` in the characters an unquoted PostgreSQL
 * identifier keeps (lower case letters, digits, `_`), so the name also works in psql without quotes and
 * in URLs without escaping. `<id>` is a short hash of the repository (its main worktree's path) and the
 * task name exactly as typed: two repositories with a task of the same name, or tasks that clean to the
 * same letters (`Feat` and `feat`, `a-1` and `a_1`), never share a database. A name longer than
 * PostgreSQL keeps (63 bytes) is shortened before the id, which still tells them apart.
 */
export function candidateDatabaseName(template: string, task: string, n: number, repository: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  const id = createHash('sha256').update(`${repository}\0${task}`).digest('hex').slice(0, 8);
  const tail = `_${id}_${n}`;
  const head = `${clean(template)}_${clean(task)}`;
  return `${head.slice(0, MAX_IDENTIFIER - tail.length)}${tail}`;
}

/** A double-quoted identifier for SQL: the one place a name goes into SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL with another database name in its path, everything else (user, password, host, options) kept. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The database a URL names, or null when it names none. */
export function databaseOf(url: string): string | null {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? null : name;
}

/**
 * A PostgreSQL URL that the WHATWG URL parser takes: libpq's `postgres://user@/db?host=/run/postgresql`
 * (a user and no host, the socket in `host=`) has an empty host after a user, which that parser refuses.
 * `localhost` is put in its place: the `host` parameter still decides where pg connects (issue 13 item 16).
 */
export function normalizePostgresUrl(url: string): string {
  const match = /^(postgres(?:ql)?:\/\/[^/?#@]*@)([/?#].*)?$/i.exec(url);
  if (!match) return url;
  try {
    new URL(url);
    return url;
  } catch {
    return `${match[1]}localhost${match[2] ?? ''}`;
  }
}

/** A URL for messages and printed plans: the password never appears. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an invalid URL)';
  }
}
