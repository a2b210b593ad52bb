/**
 * What each changed file of a candidate is, from git's own records: `git diff-tree -r -z -M -C --raw
 * --numstat` gives, per file, the status letter (added, modified, deleted, renamed, copied, type changed),
 * both modes, both blob ids and, for renames and copies, both paths; then the line counts in the same
 * order. Pure: no I/O.
 */

/** git's status letters: Added, Modified, Deleted, Renamed, Copied, Type changed (file ↔ symlink ↔ gitlink). */
export type FileStatus = 'A' | 'M' | 'D' | 'R' | 'C' | 'T';

/** One changed path of one candidate against the base. Binary files count as changed with 0/0 lines. */
export interface FileChange {
  /** The path in the candidate (the new name of a renamed or copied file). */
  path: string;
  /** The path in the base, for a renamed or copied file; null otherwise. */
  oldPath: string | null;
  status: FileStatus;
  /** git's similarity index (0..100) for a rename or copy; null otherwise. */
  similarity: number | null;
  added: number;
  deleted: number;
  binary: boolean;
  /** Octal modes as git writes them (`100644`, `100755`, `120000` symlink, `160000` gitlink); `000000` when absent. */
  oldMode: string;
  newMode: string;
  oldBlob: string;
  newBlob: string;
  /** Sizes in bytes of a binary file's two versions (null where that side does not exist or is unknown). */
  oldSize: number | null;
  newSize: number | null;
  /** Every removed line was added back with only its line ending changed (CRLF ↔ LF). */
  lineEndingsOnly: boolean;
  /** Its lines changed only in whitespace: with whitespace ignored (`git diff -w`) nothing is left. */
  whitespaceOnly: boolean;
}

export const ABSENT_MODE = '000000';
export const SYMLINK_MODE = '120000';
export const GITLINK_MODE = '160000';

/**
 * Parses `diff-tree -r -z --raw --numstat` (with -M/-C): first one raw record per file
 * (`:<old mode> <new mode> <old blob> <new blob> <status>[score]\0<path>\0[<new path>\0]`), then one
 * numstat record per file in the same order (`<added>\t<deleted>\t<path>\0`, or for a rename
 * `<added>\t<deleted>\t\0<old path>\0<new path>\0`; `-\t-` for a binary file).
 */
export function parseRawNumstatZ(text: string): FileChange[] {
  const fields = text.split('\0');
  if (fields.at(-1) === '') fields.pop();
  let i = 0;
  const next = (what: string) => {
    const field = fields[i++];
    if (field === undefined) throw new Error(`unexpected end of diff-tree output (wanted ${what})`);
    return field;
  };
  const changes: FileChange[] = [];
  while (i < fields.length && fields[i]!.startsWith(':')) {
    const header = next('a raw record');
    const match = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([AMDRCT])(\d*)$/.exec(header);
    if (!match) throw new Error(`unexpected raw diff record ${JSON.stringify(header)}`);
    const [, oldMode, newMode, oldBlob, newBlob, letter, score] = match;
    const status = letter as FileStatus;
    const twoPaths = status === 'R' || status === 'C';
    const first = next('a path');
    const second = twoPaths ? next('the new path') : null;
    changes.push({
      path: second ?? first,
      oldPath: twoPaths ? first : null,
      status,
      similarity: twoPaths && score ? Number(score) : null,
      added: 0,
      deleted: 0,
      binary: false,
      oldMode: oldMode!,
      newMode: newMode!,
      oldBlob: oldBlob!,
      newBlob: newBlob!,
      oldSize: null,
      newSize: null,
      lineEndingsOnly: false,
      whitespaceOnly: false,
    });
  }
  for (const change of changes) {
    const record = next('a numstat record');
    const match = /^(-|\d+)\t(-|\d+)\t([\s\S]*)$/.exec(record);
    if (!match) throw new Error(`unexpected numstat record ${JSON.stringify(record)}`);
    const [, added, deleted, inline] = match;
    // A rename's numstat has an empty path and both paths as the next two fields.
    if (inline === '') {
      next('the old path');
      next('the new path');
    }
    change.binary = added === '-' && deleted === '-';
    change.added = change.binary ? 0 : Number(added);
    change.deleted = change.binary ? 0 : Number(deleted);
  }
  if (i !== fields.length) throw new Error(`unexpected diff-tree output after ${changes.length} files`);
  return changes;
}

/** The paths a change touches: both names of a rename or copy (a copy leaves its source as it was). */
export function touchedPaths(change: FileChange): string[] {
  return change.oldPath !== null && change.status === 'R' ? [change.oldPath, change.path] : [change.path];
}

/** What kind of thing a mode is, for people. */
export function modeKind(mode: string): 'file' | 'executable' | 'symlink' | 'nested repository' | 'none' {
  if (mode === ABSENT_MODE) return 'none';
  if (mode === SYMLINK_MODE) return 'symlink';
  if (mode === GITLINK_MODE) return 'nested repository';
  return mode === '100755' ? 'executable' : 'file';
}

/**
 * Notes on a change beyond its lines, for people: the mode change, a symlink, a nested repository, a
 * binary's sizes, line endings only. Empty when there is nothing to add.
 */
export function changeNotes(change: FileChange): string[] {
  const notes: string[] = [];
  const oldKind = modeKind(change.oldMode);
  const newKind = modeKind(change.newMode);
  if (change.status === 'R' || change.status === 'C') {
    notes.push(
      `${change.status === 'R' ? 'renamed' : 'copied'} from ${change.oldPath} (${change.similarity}% similar)`,
    );
  }
  if (oldKind !== 'none' && newKind !== 'none' && change.oldMode !== change.newMode) {
    notes.push(`mode ${change.oldMode} → ${change.newMode} (${oldKind} → ${newKind})`);
  } else if (newKind === 'symlink' || newKind === 'nested repository') {
    notes.push(newKind);
  } else if (newKind === 'none' && (oldKind === 'symlink' || oldKind === 'nested repository')) {
    notes.push(oldKind);
  }
  if (change.binary) notes.push(`binary ${sizeText(change.oldSize)} → ${sizeText(change.newSize)}`);
  if (change.lineEndingsOnly) notes.push('line endings only (CRLF ↔ LF)');
  else if (change.whitespaceOnly) notes.push('whitespace only (nothing left ignoring whitespace)');
  return notes;
}

function sizeText(size: number | null): string {
  return size === null ? '–' : `${size.toLocaleString('en-US')} bytes`;
}

/**
 * Per file of a patch (`diff --git` sections, in order): whether its change is line endings only — the
 * removed lines and the added lines are the same multiset once a trailing CR is dropped, and there is at
 * least one of each.
 */
export function lineEndingOnlyFiles(patch: string): boolean[] {
  const result: boolean[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  let started = false;
  let inHunk = false;
  const finish = () => {
    if (!started) return;
    const strip = (lines: string[]) => lines.map((l) => l.replace(/\r$/, '')).sort();
    const a = strip(removed);
    const b = strip(added);
    const same = a.length > 0 && a.length === b.length && a.every((line, k) => line === b[k]);
    // Identical after stripping, yet git saw a change: only the CRs differ.
    result.push(same);
  };
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      finish();
      started = true;
      inHunk = false;
      removed = [];
      added = [];
    } else if (line.startsWith('@@')) inHunk = true;
    else if (inHunk && line.startsWith('-')) removed.push(line.slice(1));
    else if (inHunk && line.startsWith('+')) added.push(line.slice(1));
  }
  finish();
  return result;
}

/**
 * Per file of a patch (`diff --git` sections, in order): whether its change is whitespace only — it has
 * hunks, and the same patch made with `-w` has no hunk for it (`-w` keeps the `diff --git` line of a
 * file whose every change is whitespace, or drops it).
 */
export function whitespaceOnlyFiles(patch: string, patchIgnoringWhitespace: string): boolean[] {
  const ignoring = sectionsByHeader(patchIgnoringWhitespace);
  return splitPatch(patch).map((section) => {
    const ws = ignoring.get(headerOf(section));
    return /^@@/m.test(section) && (ws === undefined || !/^@@/m.test(ws));
  });
}

/** A patch's file sections by their `diff --git` line. */
export function sectionsByHeader(patch: string): Map<string, string> {
  return new Map(splitPatch(patch).map((section) => [headerOf(section), section]));
}

/** A file section's `diff --git` line. */
export function headerOf(section: string): string {
  const end = section.indexOf('\n');
  return end === -1 ? section : section.slice(0, end);
}

/** Each file's section of a patch (`diff --git` onwards), in order. */
export function splitPatch(patch: string): string[] {
  if (patch === '') return [];
  const sections = patch.split(/^(?=diff --git )/m);
  return sections[0]?.startsWith('diff --git ') ? sections : sections.slice(1);
}

/**
 * Marks the files whose change is only line endings, or only whitespace (read from the patch and the
 * patch made with -w, in the same file order as the raw listing).
 */
export function withWhitespaceFacts(
  files: FileChange[],
  patch: string,
  ignoringWhitespace: string,
): FileChange[] {
  const lineEndings = lineEndingOnlyFiles(patch);
  const whitespace = whitespaceOnlyFiles(patch, ignoringWhitespace);
  if (lineEndings.length !== files.length) return files;
  return files.map((f, i) => ({ ...f, lineEndingsOnly: lineEndings[i]!, whitespaceOnly: whitespace[i]! }));
}
