/**
 * Commands as a person reads them in messages and copies into a POSIX shell: each word quoted only when
 * it needs to be. One quoting for every message, hint and report (exec's failures, compare's HTML).
 */

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n').trim();
}

/** A command line for messages, quoted so it can be pasted into a POSIX shell. */
export function describe(command: string, args: string[]): string {
  return describeCommand([command, ...args]);
}

export function describeCommand(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}
