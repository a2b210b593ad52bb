/**
 * The review prompt's context budget: when the candidates' diffs together are larger than the room
 * left for them, each gets a fair share (max–min: a small diff is shown whole and the room it leaves
 * goes to the larger ones), and each cut diff keeps whole files first, then the head of the file that
 * no longer fits, and says what it left out. Pure; sizes are in characters.
 */

/** Characters each candidate may show, in the order given: water-filling of `budget` over `sizes`. */
export function fairShares(sizes: readonly number[], budget: number): number[] {
  const shares = sizes.map(() => 0);
  let left = Math.max(0, Math.floor(budget));
  const order = sizes.map((size, i) => ({ size, i })).sort((a, b) => a.size - b.size);
  order.forEach(({ size, i }, position) => {
    const share = Math.floor(left / (order.length - position));
    shares[i] = Math.min(size, share);
    left -= shares[i]!;
  });
  return shares;
}

export interface CutDiff {
  text: string;
  totalChars: number;
  shownChars: number;
  /** Files shown only in part. */
  cutFiles: string[];
  /** Files not shown at all. */
  omittedFiles: string[];
}

/** A file's part of a `git diff` is cut only when at least this much of it can still be shown. */
const MIN_PART = 200;

/** Keeps at most `allowed` characters of a `git diff` patch, whole files first, in git's order. */
export function cutDiff(patch: string, allowed: number): CutDiff {
  const total = patch.length;
  if (total <= allowed)
    return { text: patch, totalChars: total, shownChars: total, cutFiles: [], omittedFiles: [] };
  const files = splitFiles(patch);
  const cutFiles: string[] = [];
  const omittedFiles: string[] = [];
  let text = '';
  for (const file of files) {
    const room = allowed - text.length;
    if (file.text.length <= room && cutFiles.length === 0 && omittedFiles.length === 0) {
      text += file.text;
    } else if (room >= MIN_PART && cutFiles.length === 0 && omittedFiles.length === 0) {
      const head = file.text.slice(0, room);
      text += head.slice(0, Math.max(head.lastIndexOf('\n') + 1, 0));
      cutFiles.push(file.path);
    } else {
      omittedFiles.push(file.path);
    }
  }
  return { text, totalChars: total, shownChars: text.length, cutFiles, omittedFiles };
}

/** The per-file parts of a patch (each from its `diff --git` line), with the path it changes. */
export function splitFiles(patch: string): { path: string; text: string }[] {
  const starts = [...patch.matchAll(/^diff --git /gm)].map((m) => m.index!);
  if (starts.length === 0) return patch === '' ? [] : [{ path: '(patch)', text: patch }];
  const parts: { path: string; text: string }[] = [];
  if (starts[0]! > 0) parts.push({ path: '(preamble)', text: patch.slice(0, starts[0]) });
  starts.forEach((start, i) => {
    const text = patch.slice(start, starts[i + 1] ?? patch.length);
    const header = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
    // `diff --git a/x b/x`: the new side's path (quoted paths are kept as git prints them).
    const match = / b\/(.*)$/.exec(header) ?? / "b\/(.*)"$/.exec(header);
    parts.push({ path: match ? match[1]! : header.slice('diff --git '.length), text });
  });
  return parts;
}
