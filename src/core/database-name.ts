import { createHash } from 'node:crypto';

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;

/**
 * The candidate's database: `<template>_<task>_<n>` in the characters an unquoted PostgreSQL
 * identifier keeps (lower case letters, digits, `_`), so the name also works in psql without quotes and
 * in URLs without escaping. A name that would be longer than PostgreSQL keeps is shortened and given a
 * short hash of the full name, so two long task names cannot end up with the same database.
 */
export function candidateDatabaseName(template: string, task: string, n: number): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  const full = `${clean(template)}_${clean(task)}_${n}`;
  if (Buffer.byteLength(full) <= MAX_IDENTIFIER) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const tail = `_${hash}_${n}`;
  return `${full.slice(0, MAX_IDENTIFIER - tail.length)}${tail}`;
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
