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

/**
 * Keeps at most `allowed` characters of a `git diff` patch: as many whole files as fit, smallest first
 * (a one-line fix is not pushed out by a generated file), then the head of the next one, cut at a line
 * if a useful part of it fits; shown in git's order.
 */
export function cutDiff(patch: string, allowed: number): CutDiff {
  const total = patch.length;
  if (total <= allowed)
    return { text: patch, totalChars: total, shownChars: total, cutFiles: [], omittedFiles: [] };
  const files = splitFiles(patch);
  const shown = new Map<number, string>();
  let room = allowed;
  let cutAt: number | null = null;
  for (const i of files.map((_, i) => i).sort((a, b) => files[a]!.text.length - files[b]!.text.length)) {
    const text = files[i]!.text;
    if (text.length <= room) {
      shown.set(i, text);
      room -= text.length;
    } else {
      if (room >= MIN_PART) {
        const head = text.slice(0, room);
        shown.set(i, head.slice(0, head.lastIndexOf('\n') + 1));
        cutAt = i;
      }
      break;
    }
  }
  const text = files.map((_, i) => shown.get(i) ?? '').join('');
  return {
    text,
    totalChars: total,
    shownChars: text.length,
    cutFiles: cutAt === null ? [] : [files[cutAt]!.path],
    omittedFiles: files.filter((_, i) => !shown.has(i)).map((f) => f.path),
  };
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
