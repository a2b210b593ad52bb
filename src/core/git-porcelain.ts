/**
 * git's machine-readable outputs, parsed from their NUL-separated (`-z`) forms: a path may hold a
 * newline, a quote or a leading space, and only NUL cannot be in one.
 */

export interface WorktreeEntry {
  path: string;
  head: string | null;
  branch: string | null;
  prunable: boolean;
}

/**
 * `git worktree list --porcelain -z` (git 2.36+): attribute lines end in NUL and an empty one ends a
 * worktree. Without `-z` (older git) lines end in newlines and a blank line ends a worktree; that form
 * cannot hold a path with a newline, so it is only the fallback.
 */
export function parseWorktreeList(text: string, separator: '\0' | '\n' = '\0'): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | null = null;
  for (const field of text.split(separator)) {
    if (field === '') {
      if (current) entries.push(current);
      current = null;
      continue;
    }
    if (field.startsWith('worktree ')) {
      if (current) entries.push(current);
      current = { path: field.slice('worktree '.length), head: null, branch: null, prunable: false };
    } else if (current && field.startsWith('HEAD ')) {
      current.head = field.slice('HEAD '.length);
    } else if (current && field.startsWith('branch ')) {
      current.branch = field.slice('branch '.length).replace(/^refs\/heads\//, '');
    } else if (current && (field === 'prunable' || field.startsWith('prunable '))) {
      current.prunable = true;
    }
  }
  if (current) entries.push(current);
  return entries;
}

export interface StatusEntry {
  /** The two status letters: index, then worktree (`??` untracked, `!!` ignored). */
  code: string;
  path: string;
  /** A rename's or copy's source. */
  from?: string;
}

/**
 * `git status --porcelain=v1 -z`: `XY <path>` entries ending in NUL, a rename or copy followed by its
 * source as one more NUL-terminated field. (simple-git's status parser trims every entry, which turns a
 * file named "notes\n" into "notes" and drops one named " ": hence this one.)
 */
export function parseStatusZ(text: string): StatusEntry[] {
  const fields = text.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length < 4 || field[2] !== ' ') continue;
    const code = field.slice(0, 2);
    const entry: StatusEntry = { code, path: field.slice(3) };
    if (/[RC]/.test(code)) entry.from = fields[++i] ?? '';
    entries.push(entry);
  }
  return entries;
}

/** NUL-separated output (`-z`) as its fields, without the empty one after the last NUL. */
export function fieldsOf(text: string): string[] {
  return text.split('\0').filter((field) => field !== '');
}
