import { styleText } from 'node:util';

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

/**
 * All output goes through here. Human text goes to stderr (so stdout stays clean for --json and for
 * pipes); with --json exactly one JSON document is written to stdout. Colour only on a terminal and
 * never with NO_COLOR (node:util styleText on Node 20 does not check either, so we do).
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
  style(style: Style, text: string): string;
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
  const colour = Boolean(stderr.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  const style = (s: Style, text: string) => (colour ? styleText(s, text) : text);
  return {
    json: options.json,
    info: (line) => stderr.write(`${line}\n`),
    warn: (line) => stderr.write(`${style('yellow', 'warning:')} ${line}\n`),
    print: (line) => {
      if (!options.json) stdout.write(`${line}\n`);
    },
    document: (value) => {
      if (options.json) stdout.write(`${JSON.stringify(value, redactPasswords, 2)}\n`);
    },
    style,
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
