import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * `--verbose`: every program git-parallel runs is written as one shell-quoted line, `+ <command>  # in
 * <cwd>` (pasteable: the shell ignores the comment). Held like the signal shield (signals.ts): the command
 * line decides it once, in cli.ts, for everything the command does, so no I/O function needs a flag.
 */
const commandLog = new AsyncLocalStorage<(line: string) => void>();

export function withCommandLog<T>(write: (line: string) => void, action: () => Promise<T>): Promise<T> {
  return commandLog.run(write, action);
}

/** Called by io/exec.ts for each program it starts. */
export function noteCommand(argv: readonly string[], cwd: string): void {
  const write = commandLog.getStore();
  if (write) write(`+ ${argv.map(traceQuote).join(' ')}  # in ${traceQuote(cwd)}`);
}

/**
 * POSIX quoting, except that a word holding a newline or another control character is written `$'…'`
 * (bash, zsh and POSIX.1-2024 sh read it), so that every command stays on one line.
 */
export function traceQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (!/[\u0000-\u001f\u007f]/.test(word)) return `'${word.replaceAll("'", `'"'"'`)}'`;
  const escapes: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\', "'": "\\'" };
  let out = "$'";
  for (const char of word) {
    const code = char.codePointAt(0)!;
    out +=
      escapes[char] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char);
  }
  return `${out}'`;
}
