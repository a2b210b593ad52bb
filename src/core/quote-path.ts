const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * A path as git prints it to a terminal: a name with control characters, a double quote or a backslash
 * is put in double quotes with C escapes (`"new\nline.txt"`, `"\033]0;title\007"` as octal), so a
 * file name can neither split a line nor send escape sequences to the terminal. Unlike git's default
 * (core.quotePath) letters beyond ASCII are left as they are: they are safe to print and readable.
 */
export function quotePath(name: string): string {
  if (!/[\x00-\x1f\x7f"\\]/.test(name)) return name;
  let quoted = '';
  for (const char of name) {
    const code = char.codePointAt(0)!;
    quoted +=
      C_ESCAPES[char] ?? (code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, '0')}` : char);
  }
  return `"${quoted}"`;
}
