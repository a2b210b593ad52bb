import { inspect } from 'node:util';

/**
 * The version of the --json documents' schemas (schemas/*.schema.json). It goes up when a field is
 * renamed, removed or changes its type; new fields do not change it.
 */
export const SCHEMA_VERSION = 1;

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
/** Styles text, or returns it as it is where colour is off; a null style is plain text. */
export type Paint = (style: Style | null, text: string) => string;
export const plain: Paint = (_style, text) => text;

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR decides when set (`0` or `false` turn colour off,
 * anything else on, as Node and chalk read it); then a NO_COLOR that is set and not empty turns it off
 * (no-color.org: an empty NO_COLOR= does not); then TERM=dumb; else only on a terminal.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/**
 * A painter with ANSI SGR codes. Not node:util styleText: from Node 22 it checks process.stdout and
 * reads an empty NO_COLOR= as "no colour", and on Node 20 it checks nothing, so the rules live above.
 */
export function painter(enabled: boolean): Paint {
  if (!enabled) return plain;
  return (style, text) => {
    if (style === null) return text;
    const [open, close] = inspect.colors[style]!;
    return `\x1b[${open}m${text}\x1b[${close}m`;
  };
}

/**
 * All output goes through here. Human text goes to stderr (so stdout stays clean for --json and for
 * pipes); with --json exactly one JSON document is written to stdout. Each stream is coloured on its own
 * terms (colourWanted): a table piped to a file carries no escape codes while the terminal's stderr does.
 */
export interface Reporter {
  readonly json: boolean;
  /** A line for people (stderr). Suppressed in --json mode only when `quietInJson` is set. */
  info(line: string): void;
  warn(line: string): void;
  /** A line of the human result: stdout when not --json (so it can be piped), nothing in --json mode. */
  print(line: string): void;
  /** The --json document. */
  document(value: unknown): void;
  /** Styles text written to stderr (info, warn). */
  style(style: Style, text: string): string;
  /** Styles text written to stdout (print): tables, their states and check results. */
  readonly styleOut: Paint;
}

export interface ReporterOptions {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export function createReporter(options: ReporterOptions): Reporter {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const style = painter(colourWanted(stderr, env));
  const styleOut = painter(colourWanted(stdout, env));
  return {
    json: options.json,
    info: (line) => stderr.write(`${line}\n`),
    warn: (line) => stderr.write(`${style('yellow', 'warning:')} ${line}\n`),
    print: (line) => {
      if (!options.json) stdout.write(`${line}\n`);
    },
    document: (value) => {
      if (!options.json) return;
      // Every document says which version of its schema (schemas/<command>.schema.json) it follows.
      const versioned =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? { schemaVersion: SCHEMA_VERSION, ...value }
          : value;
      stdout.write(`${JSON.stringify(versioned, redactPasswords, 2)}\n`);
    },
    style,
    styleOut,
  };
}

/**
 * --json prints no password, as the human output prints none: the password of every URL in the
 * document (a candidate's DATABASE_URL) is replaced by `***` (issue 13 item 7).
 */
export function redactPasswords(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replace(URL_PASSWORD, '$1***@') : value;
}
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s@/?#]*@/gi;

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => displayWidth(row[i] ?? ''))));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - displayWidth(cell))))
      .join('  ')
      .trimEnd(),
  );
}

function displayWidth(text: string): number {
  // Strip ANSI styles; count code points (good enough for the names and numbers in our tables).
  return [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/** "3m", "2h", "5d": the age of something, as `ls`-like tools show it. */
export function formatAge(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
