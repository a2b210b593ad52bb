/**
 * Path patterns for the files a candidate gets from the main worktree: the `copy` and `link` globs of
 * the config and the `.worktreeinclude` file. Pure: patterns in, regular expressions and answers out.
 *
 * Two dialects, one matcher:
 * - config globs are relative to the repository root (`config/*.local.yml` names that folder only;
 *   `**` crosses folders; `{a,b}` alternatives), and may not leave the repository;
 * - `.worktreeinclude` uses .gitignore syntax, the convention Claude Code, Codex and other tools share:
 *   a pattern without a slash matches at any depth, a leading slash anchors it, a trailing slash matches
 *   folders only, `!` re-includes, `#` starts a comment.
 * A pattern that matches a folder matches everything in it.
 */
export interface PathRule {
  /** The pattern as written, for messages. */
  source: string;
  negate: boolean;
  /** Only folders match (a trailing slash). */
  dirOnly: boolean;
  regex: RegExp;
  /**
   * The literal folders before the first wildcard (`config` for `config/*.yml`), or null for a pattern
   * that matches at any depth. A pattern reaches into a gitignored folder only through this prefix.
   */
  prefix: string | null;
}

/** Why a config path (copy, link, envFile, a SQLite file) is refused, or null when it stays inside the repository. */
export function repositoryPathProblem(pattern: string): string | null {
  if (pattern.trim() === '') return 'is empty';
  if (
    pattern.startsWith('/') ||
    pattern.startsWith('~') ||
    /^[A-Za-z]:[\\/]/.test(pattern) ||
    pattern.startsWith('\\')
  ) {
    return 'is an absolute path; give a path relative to the repository root';
  }
  const segments = pattern.split(/[\\/]+/);
  if (segments.includes('..')) return 'leaves the repository (..); give a path inside it';
  if (segments[0] === '.git' || (segments[0] === '.' && segments[1] === '.git')) return 'points into .git';
  return null;
}

/** Compiles one config glob (relative to the repository root). Throws on a pattern that leaves the repository. */
export function compileGlob(glob: string): PathRule[] {
  const problem = repositoryPathProblem(glob);
  if (problem) throw new Error(`${JSON.stringify(glob)} ${problem}`);
  const cleaned = glob.replace(/^(\.\/)+/, '');
  return expandBraces(cleaned).map((alternative) =>
    compilePattern(alternative, { source: glob, anchored: true }),
  );
}

/** Parses a `.worktreeinclude` file (gitignore syntax) into rules, in order (the last match wins). */
export function parseWorktreeInclude(text: string): PathRule[] {
  const rules: PathRule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    if (line === '' || line === '/') continue;
    // A leading slash or a slash in the middle anchors the pattern to the root; a trailing one does not.
    const body = line.endsWith('/') ? line.slice(0, -1) : line;
    const anchored = body.includes('/');
    // Nothing outside the repository is ever selected, whatever the file says.
    if (line.split('/').includes('..')) continue;
    const rule = compilePattern(line.replace(/^\//, ''), { source: rawLine.trim(), anchored });
    rules.push({ ...rule, negate });
  }
  return rules;
}

/**
 * Whether a path (relative, `/`-separated, no trailing slash) is selected by the rules, as git reads
 * .gitignore: a path inside a selected folder is selected (git never looks inside an excluded folder, so
 * nothing in it can be taken back); otherwise the last rule that matches the path itself decides. So
 * `*.tmp` then `!x/` still selects `x/b.tmp`, as `git ls-files -o -i --exclude-from` does.
 */
export function selects(rules: readonly PathRule[], relativePath: string, isDir: boolean): boolean {
  if (parentFolders(relativePath).some((folder) => decide(rules, folder, true) === true)) return true;
  return decide(rules, relativePath, isDir) ?? false;
}

/** The last matching rule's answer for this path alone, or null when no rule matches it. */
function decide(rules: readonly PathRule[], relativePath: string, isDir: boolean): boolean | null {
  let decided: boolean | null = null;
  for (const rule of rules) {
    if ((isDir || !rule.dirOnly) && rule.regex.test(relativePath)) decided = !rule.negate;
  }
  return decided;
}

/**
 * Whether a rule could select something inside `folder` (a gitignored folder git lists as one entry):
 * only when the rule's literal prefix names that folder or something in it.
 */
export function reachesInto(rule: PathRule, folder: string): boolean {
  if (rule.negate || rule.prefix === null) return false;
  if (rule.prefix === '') return false;
  return (
    rule.prefix === folder || rule.prefix.startsWith(`${folder}/`) || folder.startsWith(`${rule.prefix}/`)
  );
}

function parentFolders(relativePath: string): string[] {
  const parts = relativePath.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

function compilePattern(pattern: string, options: { source: string; anchored: boolean }): PathRule {
  const dirOnly = pattern.endsWith('/');
  const body = dirOnly ? pattern.slice(0, -1) : pattern;
  const segments = body.split('/');
  let regex = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      // `**/` at the start or in the middle: zero or more folders; a trailing `/**`: everything inside.
      regex += last ? (index === 0 ? '.*' : '.+') : '(?:[^/]+/)*';
      return;
    }
    regex += segmentToRegex(segment) + (last ? '' : '/');
  });
  const head = options.anchored ? '^' : '^(?:[^/]+/)*';
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\\]/.test(segment)) break;
    literal.push(segment);
  }
  const prefix = options.anchored ? literal.join('/') : null;
  return { source: options.source, negate: false, dirOnly, regex: new RegExp(`${head}${regex}$`), prefix };
}

function segmentToRegex(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      out += escapeRegex(segment[++i]!);
    } else if (c === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let set = segment.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replaceAll('\\', '\\\\')}]`;
      i = end;
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** `a/{b,c}/*.{yml,yaml}` → four patterns. Unbalanced braces are taken literally. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open === -1) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) break;
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const options = bounds.slice(0, -1).map((start, k) => pattern.slice(start + 1, bounds[k + 1]));
        return options.flatMap((option) => expandBraces(`${head}${option}${tail}`));
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  return [pattern];
}
