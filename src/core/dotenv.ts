/**
 * Dotenv files for dev servers that read `.env.local` rather than the environment. Pure: text in, text
 * out. Merging keeps every line it does not own (comments, blank lines, other variables, `export`
 * prefixes, multi-line quoted values) and replaces the value of every line that sets one of its keys,
 * so the candidate's values win whichever of dotenv's first-wins or last-wins rules the tool follows.
 */

/** One logical line: a variable assignment (maybe spanning several physical lines) or anything else. */
export type DotenvLine =
  | { kind: 'entry'; key: string; text: string; value: string }
  | { kind: 'other'; text: string };

const ENTRY = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)(.*)$/;

export function parseDotenv(text: string): DotenvLine[] {
  const physical = text.split(/\r?\n/);
  if (physical.at(-1) === '') physical.pop();
  const lines: DotenvLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const line = physical[i]!;
    const match = ENTRY.exec(line);
    if (!match) {
      lines.push({ kind: 'other', text: line });
      continue;
    }
    let rest = match[4]!;
    let whole = line;
    // A quoted value may span lines: take lines until its closing quote.
    const quote = rest[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !closes(rest.slice(1), quote)) {
      while (i + 1 < physical.length) {
        const next = physical[++i]!;
        whole += `\n${next}`;
        rest += `\n${next}`;
        if (closes(next, quote)) break;
      }
    }
    lines.push({ kind: 'entry', key: match[2]!, text: whole, value: unquote(rest) });
  }
  return lines;
}

/** The variables a dotenv text sets (the last assignment of a key wins, as in dotenv). */
export function dotenvValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of parseDotenv(text)) if (line.kind === 'entry') values[line.key] = line.value;
  return values;
}

/**
 * Writes `values` into an existing dotenv text (or a new one): lines that set one of the keys get the new
 * value in place; keys not present yet are appended under a comment that says where they came from.
 */
export function mergeDotenv(
  existing: string | null,
  values: Record<string, string>,
  heading: string,
): string {
  const lines = existing === null ? [] : parseDotenv(existing);
  const formatDotenvValue = (key: string) => {
    try {
      return formatValue(values[key]!);
    } catch (error) {
      if (error instanceof EnvValueError) throw new EnvValueError(`the value of ${key}, ${error.message}`);
      throw error;
    }
  };
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    if (line.kind === 'entry' && Object.hasOwn(values, line.key)) {
      const prefix = ENTRY.exec(line.text.split('\n')[0]!)!;
      out.push(`${prefix[1]}${line.key}${prefix[3]}${formatDotenvValue(line.key)}`);
      written.add(line.key);
    } else {
      out.push(line.text);
    }
  }
  const missing = Object.keys(values).filter((key) => !written.has(key));
  if (missing.length > 0) {
    if (out.length > 0 && out.at(-1) !== '') out.push('');
    out.push(`# ${heading}`);
    for (const key of missing) out.push(`${key}=${formatDotenvValue(key)}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * A value written so that dotenv and dotenv-expand (Vite, Next.js) read it back exactly, and so that a
 * shell that sources the file (`set -a; . .env.local`) never runs any part of it (issue 13 items 2, 15).
 * The readers differ, so the form depends on the characters:
 *
 * - bare, when only characters no reader treats specially are in it;
 * - single-quoted, when it has no `'` and no line break: dotenv and shells take it literally. A `$` that
 *   starts a name (`$x`, `${x}`) is written `\$`: dotenv-expand expands names even inside single quotes
 *   and reads `\$` as `$` (plain dotenv then keeps the backslash: the one place the readers cannot agree);
 * - double-quoted otherwise, when it has no `"`, `\` or backquote: line breaks are written `\n` (dotenv
 *   reads them back), and every `$` followed by anything is written `\$`, so a shell expands nothing
 *   (`$(…)` included) and dotenv-expand reads `$`;
 * - anything else (a `'` together with a `"`, `\` or backquote) has no form that all of them read back
 *   and no shell runs: it is refused (EnvValueError), never written wrongly.
 */
export class EnvValueError extends Error {}

export function formatDotenvValue(value: string): string {
  return formatValue(value);
}

function formatValue(value: string): string {
  if (/^[A-Za-z0-9_./:@+,=%-]*$/.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value.replace(/\$(?=[A-Za-z_{])/g, () => '\\$')}'`;
  if (!/["\\`\r]/.test(value)) return `"${value.replace(/\$(?=.)/gs, () => '\\$').replaceAll('\n', '\\n')}"`;
  throw new EnvValueError(
    `${JSON.stringify(value)} holds a ' together with a ", \\ or backquote, which no dotenv quoting carries exactly and safely`,
  );
}

function closes(text: string, quote: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return true;
  }
  return false;
}

function unquote(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if (quote === "'" || quote === '`') {
    const end = value.indexOf(quote, 1);
    const inner = end === -1 ? value.slice(1) : value.slice(1, end);
    // As dotenv-expand reads it: `\$` is a `$` (see formatDotenvValue).
    return inner.replaceAll('\\$', '$');
  }
  if (quote === '"') {
    let out = '';
    for (let i = 1; i < value.length; i++) {
      const c = value[i]!;
      if (c === '"') break;
      if (c === '\\' && i + 1 < value.length) {
        const next = value[++i]!;
        out += next === 'n' ? '\n' : next === 'r' ? '\r' : next;
      } else {
        out += c;
      }
    }
    return out;
  }
  // Unquoted: an inline comment starts at " #".
  return value.replace(/\s+#.*$/, '');
}
