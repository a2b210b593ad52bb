/**
 * Many tree diffs from one git process (issue 18): `git diff-tree --stdin` reads "<tree> <tree>" lines and
 * prints, for each, that line and then the diff exactly as `git diff-tree <tree> <tree>` prints it. Split
 * back into one output per pair here. No patch line can look like a header (git prefixes every line of a
 * patch), so a header is found at the start of a line; with `-z --raw --numstat`, whose paths may hold
 * newlines, the raw and numstat records are stepped over by their structure first.
 */

/** What `diff-tree --stdin` prints before a pair's diff. */
export function stdinPairHeader(from: string, to: string): string {
  return `${from} ${to}\n`;
}

/**
 * One diff per pair, in order; null when the output is not what `pairs` should have produced (the
 * caller then asks git pair by pair). `z`: the output of `-z --raw --numstat -p`.
 */
export function splitStdinDiffs(output: string, pairs: [string, string][], z: boolean): string[] | null {
  const diffs: string[] = [];
  let at = 0;
  for (const [i, [from, to]] of pairs.entries()) {
    const header = stdinPairHeader(from, to);
    if (!output.startsWith(header, at)) return null;
    const start = at + header.length;
    const patchFrom = z ? afterRecords(output, start) : start;
    if (patchFrom === null) return null;
    const following = pairs[i + 1];
    let end = output.length;
    if (following) {
      const next = stdinPairHeader(...following);
      if (output.startsWith(next, patchFrom)) end = patchFrom;
      else {
        const found = output.indexOf(`\n${next}`, patchFrom);
        if (found === -1) return null;
        end = found + 1;
      }
    }
    diffs.push(output.slice(start, end));
    at = end;
  }
  return diffs;
}

/** Where the raw and numstat records that start at `at` end (see parseRawNumstatZ); null if malformed. */
function afterRecords(output: string, at: number): number | null {
  const field = (from: number): number | null => {
    const end = output.indexOf('\0', from);
    return end === -1 ? null : end + 1;
  };
  let p: number | null = at;
  let records = 0;
  while (p !== null && output[p] === ':') {
    const metaEnd = field(p);
    if (metaEnd === null) return null;
    const letter = /([AMDRCT])\d*$/.exec(output.slice(p, metaEnd - 1))?.[1];
    if (letter === undefined) return null;
    p = field(metaEnd);
    if (p !== null && (letter === 'R' || letter === 'C')) p = field(p);
    records++;
  }
  for (let r = 0; r < records && p !== null; r++) {
    const counts = /^(?:-|\d+)\t(?:-|\d+)\t/.exec(output.slice(p, p + 48));
    if (!counts) return null;
    p += counts[0].length;
    // A rename or copy: an empty path, then its old and new paths.
    if (output[p] === '\0') {
      p = field(p + 1);
      if (p !== null) p = field(p);
    } else p = field(p);
  }
  return p;
}

/** Whether any of the changes adds, changes, removes, renames or copies a `.gitattributes` file. */
export function touchesGitattributes(changes: { path: string; oldPath: string | null }[]): boolean {
  const named = (p: string | null) => p !== null && (p === '.gitattributes' || p.endsWith('/.gitattributes'));
  return changes.some((c) => named(c.path) || named(c.oldPath));
}
