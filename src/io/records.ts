import path from 'node:path';
import { UsageError } from '../errors.js';
import { readIfExists } from './files.js';

/**
 * What is wrong with a record's value, as words that follow its name ("has no task"); null when it can
 * be used. Each record kind has one, beside the code that writes it.
 */
export type RecordShape = (value: unknown) => string | null;

/**
 * A record git-parallel wrote that exists but cannot be used. It stops the command (exit 2) before it
 * changes anything, naming the file and how to recover: acting on a guess would do the wrong thing — an
 * `rm` that read a damaged resources.json as "none" skipped the databases and removal hooks it lists.
 */
export class DamagedRecord extends UsageError {
  override name = 'DamagedRecord';
  constructor(
    readonly file: string,
    readonly problem: string,
    recover: string,
  ) {
    super(`${file} is damaged: it ${problem}; ${recover}`);
  }
}

/**
 * The one way a JSON record git-parallel writes is read (a run's state folder, the trust store, the
 * worktree marks). A missing file is null for every record (not written yet, or never: older runs,
 * candidates whose agent has not started); a damaged one is a DamagedRecord that names it and says how
 * to recover (`recover`).
 */
export async function readRecord<T>(file: string, shape: RecordShape, recover: string): Promise<T | null> {
  const read = await inspectRecord<T>(file, shape);
  if (read === null) return null;
  if (read.problem !== null) throw new DamagedRecord(file, read.fault, recover);
  return read.value;
}

/**
 * Like readRecord, for the callers that show a damaged record instead of stopping (list and status show
 * a damaged run.json beside the others): `problem` is a phrase that starts with the file's name.
 */
export async function inspectRecord<T>(
  file: string,
  shape: RecordShape,
): Promise<{ value: T; problem: null } | { value: null; problem: string; fault: string } | null> {
  const text = await readIfExists(file);
  if (text === null) return null;
  let fault: string | null;
  let value: unknown = null;
  try {
    value = JSON.parse(text);
    fault = shape(value);
  } catch (error) {
    // One line: newer V8 messages quote the text, which may hold line breaks.
    fault = `is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`;
  }
  return fault === null
    ? { value: value as T, problem: null }
    : { value: null, problem: `${path.basename(file)} ${fault}`, fault };
}

/** A field check for RecordShapes: the name of the first field of `value` not of its kind, or null. */
export function wrongField(
  value: unknown,
  fields: Record<string, 'string' | 'number' | 'object' | 'array' | 'string[]'>,
): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'does not hold an object';
  const record = value as Record<string, unknown>;
  for (const [name, kind] of Object.entries(fields)) {
    const field = record[name];
    const ok =
      kind === 'array'
        ? Array.isArray(field)
        : kind === 'string[]'
          ? Array.isArray(field) && field.every((item) => typeof item === 'string')
          : kind === 'object'
            ? typeof field === 'object' && field !== null && !Array.isArray(field)
            : typeof field === kind;
    if (!ok)
      return `has no ${name} (${kind === 'string[]' ? 'a list of strings' : `a${kind === 'array' || kind === 'object' ? 'n' : ''} ${kind}`})`;
  }
  return null;
}
