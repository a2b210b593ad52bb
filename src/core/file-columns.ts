/**
 * One file as several candidates left it, side by side: a column per candidate, rows aligned on the
 * base file's lines, so that what each candidate kept, removed or inserted at the same place reads
 * across one row. Built from each candidate's patch of that file against the same base; pure.
 */

export type CellKind = 'kept' | 'removed' | 'added' | 'empty';

export interface Cell {
  kind: CellKind;
  text: string;
}

/** A row of the side-by-side view: a base line (or an inserted line, `baseLine` null), or a gap. */
export type ColumnRow = { baseLine: number | null; cells: Cell[] } | { gap: number };

interface ParsedColumn {
  removed: Set<number>;
  /** Lines inserted before base line L (L = base length + 1 for the end). */
  inserts: Map<number, string[]>;
}

/** The hunks of one file's patch as removals and insertions keyed by base line. */
export function parseFilePatch(patch: string): ParsedColumn {
  const removed = new Set<number>();
  const inserts = new Map<number, string[]>();
  let line = 0;
  let inHunk = false;
  for (const text of patch.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(text);
    if (hunk) {
      const start = Number(hunk[1]);
      // `-5,0` means "after line 5": what follows is inserted before line 6.
      line = hunk[2] === '0' ? start + 1 : start;
      inHunk = true;
    } else if (text.startsWith('diff --git ')) inHunk = false;
    else if (!inHunk) continue;
    else if (text.startsWith(' ')) line++;
    else if (text.startsWith('-')) removed.add(line++);
    else if (text.startsWith('+')) {
      const list = inserts.get(line) ?? [];
      list.push(text.slice(1));
      inserts.set(line, list);
    }
  }
  return { removed, inserts };
}

/**
 * Aligns the candidates' versions of one file on its base lines. Unchanged stretches further than
 * `context` lines from any candidate's change become a gap row.
 */
export function alignVersions(baseLines: string[], patches: string[], context = 2): ColumnRow[] {
  const columns = patches.map(parseFilePatch);
  const end = baseLines.length + 1;
  const touched = (l: number) => columns.some((c) => c.removed.has(l) || (c.inserts.get(l)?.length ?? 0) > 0);
  const near = new Set<number>();
  for (let l = 1; l <= end; l++) {
    if (!touched(l)) continue;
    for (let k = l - context; k <= l + context; k++) near.add(k);
  }
  const rows: ColumnRow[] = [];
  let gap = 0;
  const flush = () => {
    if (gap > 0) rows.push({ gap });
    gap = 0;
  };
  for (let l = 1; l <= end; l++) {
    const most = Math.max(0, ...columns.map((c) => c.inserts.get(l)?.length ?? 0));
    if (most > 0) flush();
    for (let k = 0; k < most; k++) {
      rows.push({
        baseLine: null,
        cells: columns.map((c) => {
          const text = c.inserts.get(l)?.[k];
          return text === undefined ? { kind: 'empty', text: '' } : { kind: 'added', text };
        }),
      });
    }
    if (l === end) break;
    if (!near.has(l)) {
      gap++;
      continue;
    }
    flush();
    const text = baseLines[l - 1]!;
    rows.push({
      baseLine: l,
      cells: columns.map((c) => ({ kind: c.removed.has(l) ? 'removed' : 'kept', text })),
    });
  }
  flush();
  return rows;
}

const MARK: Record<CellKind, string> = { kept: ' ', removed: '-', added: '+', empty: ' ' };

/**
 * The aligned rows as terminal text: a base line number, then a column per candidate of `width`
 * characters (`-` removed, `+` added), each cut with … when longer. Control characters are shown as `?`
 * and tabs as spaces, so no file content can move the cursor.
 */
export function formatColumns(names: string[], rows: ColumnRow[], totalWidth: number): string[] {
  const gutter = 6;
  const width = Math.max(12, Math.floor((totalWidth - gutter) / Math.max(1, names.length)) - 1);
  const fit = (text: string) => {
    const clean = printable(text);
    const chars = [...clean];
    return chars.length > width
      ? `${chars.slice(0, width - 1).join('')}…`
      : clean + ' '.repeat(width - chars.length);
  };
  const lines = [`${' '.repeat(gutter)}${names.map((name) => fit(name)).join(' ')}`.trimEnd()];
  lines.push(`${' '.repeat(gutter)}${names.map(() => '─'.repeat(width)).join(' ')}`);
  for (const row of rows) {
    if ('gap' in row) {
      lines.push(`${' '.repeat(gutter)}⋯ ${row.gap} unchanged line${row.gap === 1 ? '' : 's'}`);
      continue;
    }
    const number = row.baseLine === null ? '' : String(row.baseLine);
    const cells = row.cells.map((cell) => fit(cell.kind === 'empty' ? '' : `${MARK[cell.kind]}${cell.text}`));
    lines.push(`${number.padStart(gutter - 1)} ${cells.join(' ')}`.trimEnd());
  }
  return lines;
}

function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out +=
      char === '\t' ? '    ' : code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) ? '?' : char;
  }
  return out;
}

/** One file that two or more candidates changed, as each left it, for the report's side-by-side view. */
export interface SharedFile {
  path: string;
  /** The candidates shown, in column order. */
  columns: { n: number; name: string }[];
  /** Null when the file is too large or binary in some candidate (`note` says which). */
  rows: ColumnRow[] | null;
  note: string | null;
}
