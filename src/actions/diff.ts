import { alignVersions, formatColumns } from '../core/file-columns.js';
import { assertTaskName } from '../core/names.js';
import { quotePath } from '../core/quote-path.js';
import { candidateNumbered } from '../core/run-candidates.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, UsageError } from '../errors.js';
import { candidateTree } from '../io/candidate-changes.js';
import { runOnTerminal } from '../io/exec.js';
import { pathExists } from '../io/files.js';
import { fileAtCommit, readRepo } from '../io/git.js';
import { diffPatch, treeOfCommit } from '../io/snapshot.js';
import { requireManifest } from '../io/state.js';

export interface DiffArgs {
  task: string;
  n: number;
  /** Compare candidate n with candidate m instead of with the base. */
  m?: number;
  /** Extra `git diff` arguments (after `--` on our command line), passed to git unchanged. */
  gitArgs: string[];
}

/**
 * `git parallel diff <task> <n> [<m>]`: candidate n's whole change against the base — committed,
 * uncommitted and untracked, through a snapshot that changes nothing — or candidate n against candidate
 * m (from n to m, like `git diff n m`). It runs the user's own `git diff` with the terminal inherited,
 * so their pager, colours, diff tools and diff settings apply exactly as they would to any `git diff`
 * (hence no --no-pager and no fixed flags).
 * Returns git's exit code.
 */
export async function diffCandidates(
  args: DiffArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; warn?: (line: string) => void },
): Promise<number> {
  assertTaskName(args.task);
  // git's message can hold a path: control characters in it must not reach the terminal.
  const warn = io.warn ?? ((line: string) => process.stderr.write(`${withoutControls(line)}\n`));
  const repo = await readRepo(io.cwd);
  const { manifest } = await requireManifest(repo.commonDir, args.task);
  // `diff <task> 1 2` reads like `git diff 1 2`: what changes from candidate 1 to candidate 2.
  const first = candidateNumbered(manifest, args.n);
  const second = args.m === undefined ? null : candidateNumbered(manifest, args.m);
  if (second !== null && second.n === first.n)
    throw new UsageError(`compare ${first.name} with another candidate, not with itself`);
  const [fromTree, toTree] =
    second === null
      ? [manifest.base.commit, await treeOf(manifest, first, warn)]
      : await Promise.all([treeOf(manifest, first, warn), treeOf(manifest, second, warn)]);
  // Everything after our `--` goes to git unchanged, after the two trees, exactly as in `git diff A B …`:
  // git itself tells an option's value (`-S Holowaychuk`) from a path, and a path that is not in the
  // folder the user is in needs git's own `--` (`diff t 3 -- --stat -- src/new.js`), as with git diff.
  const gitArgs = ['diff', fromTree, toTree, ...args.gitArgs];
  return runWithTerminal('git', gitArgs, io.cwd, io.env);
}

/**
 * `git parallel diff <task> --file PATH`: that file as every candidate that changed it left it, side by
 * side (a column per candidate), aligned on the base file's lines. PATH is as compare lists it (from
 * the top of the repository). Candidates that left the file as it was are named, not shown.
 */
export async function diffFileAcross(
  args: { task: string; file: string; columns?: number },
  io: { cwd: string; env: NodeJS.ProcessEnv; out?: (line: string) => void; warn?: (line: string) => void },
): Promise<number> {
  assertTaskName(args.task);
  if (args.file.trim() === '') throw new UsageError('--file needs a path, such as --file src/app.js');
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warn = io.warn ?? ((line: string) => process.stderr.write(`${withoutControls(line)}\n`));
  const repo = await readRepo(io.cwd);
  const { manifest } = await requireManifest(repo.commonDir, args.task);
  const root = manifest.repo.root;
  const base = manifest.base.commit;
  const changed: { name: string; patch: string }[] = [];
  const unchanged: string[] = [];
  for (const candidate of manifest.candidates) {
    const tree = await candidateTree(manifest, candidate).catch(() => null);
    const readable = tree ?? (await treeOfCommit(root, `refs/heads/${candidate.branch}`));
    if (readable === null) {
      warn(`warning: ${candidate.name} cannot be read (worktree and branch unreadable or gone); left out`);
      continue;
    }
    if (tree === null && (await pathExists(candidate.worktree))) {
      warn(
        `warning: git could not read ${candidate.name}'s worktree; showing its branch ${candidate.branch}`,
      );
    }
    const patch = await diffPatch(root, base, readable, { paths: [args.file] });
    if (patch.trim() === '') unchanged.push(candidate.name);
    else changed.push({ name: candidate.name, patch });
  }
  if (changed.length === 0) {
    throw new UsageError(
      `no candidate of ${manifest.task} changed ${quotePath(args.file)} (paths are from the top of the repository)`,
    );
  }
  const blob = await fileAtCommit(root, base, args.file);
  const baseLines = blob !== null ? splitLines(blob) : [];
  out(
    `${quotePath(args.file)} in ${changed.length} candidate${changed.length === 1 ? '' : 's'}, aligned on the base ${base.slice(0, 10)}${blob !== null ? '' : ' (not in the base)'}`,
  );
  if (unchanged.length > 0) out(`unchanged in: ${unchanged.join(', ')}`);
  if (changed.some((c) => /^Binary files /m.test(c.patch)))
    out('(binary in some candidates: see git parallel diff for those)');
  const rows = alignVersions(
    baseLines,
    changed.map((c) => c.patch),
  );
  const width = args.columns ?? (Number(io.env.COLUMNS) || process.stdout.columns || 160);
  for (const line of formatColumns(
    changed.map((c) => c.name),
    rows,
    width,
  ))
    out(line);
  return 0;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The candidate's content; when git cannot read its worktree (a nested repository without commits, a
 * broken `.git` file), its branch instead, with a warning that says so.
 */
async function treeOf(
  manifest: RunManifest,
  candidate: Candidate,
  warn: (line: string) => void,
): Promise<string> {
  const tree = await candidateTree(manifest, candidate).catch(async (error: unknown) => {
    const reason = (error instanceof Error ? error.message : String(error))
      .split('\n')
      .filter(Boolean)
      .join(' ');
    const branchTree = await treeOfCommit(manifest.repo.root, `refs/heads/${candidate.branch}`);
    if (branchTree === null) {
      throw new CommandFailure(
        `git could not read ${candidate.name}'s worktree, and its branch is gone: ${reason}`,
      );
    }
    warn(
      `warning: git could not read ${candidate.name}'s worktree (${reason}); showing its branch ${candidate.branch} without uncommitted work`,
    );
    return branchTree;
  });
  if (tree === null) {
    throw new UsageError(
      `${candidate.name} has neither its worktree (${candidate.worktree}) nor its branch ${candidate.branch}`,
    );
  }
  return tree;
}

/** Runs a command on the user's terminal (stdin, stdout, stderr inherited) and returns its exit code. */
async function runWithTerminal(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { exitCode, signal } = await runOnTerminal(command, args, { cwd, env });
  return exitCode ?? (signal === 'SIGPIPE' ? 0 : 128);
}

function withoutControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code < 0x20 || code === 0x7f ? '?' : char;
  }
  return out;
}
