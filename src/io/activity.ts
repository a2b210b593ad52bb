import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { screenForActivity } from '../core/agent-screens.js';
import type { Activity } from '../core/agent-state.js';
import { reachableWithin } from '../core/commit-graph.js';
import type { Candidate } from '../core/types.js';
import { pathExists, writeFileAtomic } from './files.js';
import { commitsNotIn } from './git.js';
import { runGit } from './git-runner.js';
import { inspectRecord, wrongField } from './records.js';

/**
 * Activity facts for `status`: when a pane's output last changed, and what a worktree holds.
 *
 * tmux and Zellij keep no per-pane "last output" time, so pane output is polled: each `status` hashes
 * the pane's screen and compares it with the hash kept in `<state>/activity/<n>.json` by the previous
 * `status` (or the previous `--watch` tick). That file is what makes idle detection work across
 * separate invocations.
 */
interface OutputCache {
  hash: string;
  /** When this hash was last seen. */
  observedAt: string;
  /** The change to this hash happened after this moment (null: before we ever looked). */
  changedAfter: string | null;
  /** ...and no later than this one. */
  changedBy: string;
}

export const activityPath = (stateDir: string, n: number) => path.join(stateDir, 'activity', `${n}.json`);

/**
 * Records one observation of a pane's screen and returns when its last change happened. The first
 * observation cannot know when the screen last changed: it counts as "by now" for idle detection and
 * as "at any time" for overriding hook events, so neither is triggered by a guess.
 */
export async function observePaneOutput(
  stateDir: string,
  n: number,
  content: string,
  now: Date,
): Promise<Activity> {
  // Timers and spinners are not work: an agent at a prompt whose clock ticks is not busy.
  const hash = createHash('sha1').update(screenForActivity(content)).digest('hex');
  const file = activityPath(stateDir, n);
  const previous = await readCache(file);
  let next: OutputCache;
  if (previous === null) {
    next = { hash, observedAt: now.toISOString(), changedAfter: null, changedBy: now.toISOString() };
  } else if (previous.hash === hash) {
    next = { ...previous, observedAt: now.toISOString() };
  } else {
    next = {
      hash,
      observedAt: now.toISOString(),
      changedAfter: previous.observedAt,
      changedBy: now.toISOString(),
    };
  }
  await writeFileAtomic(file, `${JSON.stringify(next)}\n`);
  return { earliest: new Date(next.changedAfter ?? 0), latest: new Date(next.changedBy) };
}

/** A damaged cache is as good as none: it only holds a hash of the screen, rewritten on this read. */
async function readCache(file: string): Promise<OutputCache | null> {
  const read = await inspectRecord<OutputCache>(file, (value) =>
    wrongField(value, { hash: 'string', observedAt: 'string' }),
  );
  return read?.value ?? null;
}

/** Two activity sources together: the newest change of either, with its bounds. */
export function latestActivity(...sources: (Activity | null)[]): Activity | null {
  const known = sources.filter((s): s is Activity => s !== null);
  if (known.length === 0) return null;
  return {
    earliest: new Date(Math.max(...known.map((s) => s.earliest.getTime()))),
    latest: new Date(Math.max(...known.map((s) => s.latest.getTime()))),
  };
}

/** What a candidate's worktree and branch hold, compared with the run's base commit. */
export interface WorktreeFacts {
  worktreeExists: boolean;
  branchExists: boolean;
  /** Commits on the branch that the base does not contain. */
  ahead: number | null;
  /** Files that differ from the base: committed, uncommitted and untracked together. */
  files: number;
  added: number;
  removed: number;
  /** Paths with uncommitted changes (staged or not) and untracked files. */
  uncommitted: number;
  untracked: number;
  /** The newest modification among the changed files and the branch's newest commit. */
  lastChange: Date | null;
}

/** Reads run without side effects: `--no-optional-locks` keeps git from rewriting the index. */
const READ_ONLY = ['--no-optional-locks'];
/** Untracked files larger than this are counted as files but not read for their lines. */
const MAX_COUNTED_BYTES = 2 * 1024 * 1024;
/** Enough recent paths to see activity; a tree with more changes is busy anyway. */
const MAX_STATTED_PATHS = 2000;

/** A candidate branch as the run's base sees it. */
interface BranchFacts {
  /** Commits on the branch that the base does not contain. */
  ahead: number;
  /** When its newest commit was committed; null when it has none beyond the base. */
  tipTime: Date | null;
}

/**
 * The worktree facts of every candidate of a run, each as soon as it is known. The branches are read for
 * all candidates at once (readBranchFacts: two git processes, whatever their number); each worktree then
 * takes two (`diff --numstat` and `status`), run at the same time as the branches are read.
 */
export function readWorktreesFacts(
  repoRoot: string,
  candidates: Candidate[],
  baseCommit: string,
): Map<number, Promise<WorktreeFacts>> {
  const branches = readBranchFacts(
    repoRoot,
    candidates.map((c) => c.branch),
    baseCommit,
  );
  return new Map(candidates.map((c) => [c.n, readWorktreeFacts(c, baseCommit, branches)]));
}

/**
 * How far each branch is ahead of `baseCommit`, and when its newest commit was made; a branch that does
 * not exist is left out. One `for-each-ref` reads every branch tip, one `rev-list --parents` the commits
 * the base does not contain (of every branch together), and the counts come from walking that graph: the
 * commits reachable from a tip within it are exactly those of `base..tip`.
 */
export async function readBranchFacts(
  repoRoot: string,
  branches: string[],
  baseCommit: string,
): Promise<Map<string, BranchFacts>> {
  const wanted = new Set(branches);
  const refs = await runGit(repoRoot, [
    'for-each-ref',
    '--format=%(objectname) %(committerdate:unix) %(refname)',
    'refs/heads/',
  ]);
  const tips = new Map<string, { commit: string; time: number }>();
  for (const line of refs.stdout.split('\n')) {
    const match = line.match(/^([0-9a-f]+) (\d*) refs\/heads\/(.+)$/);
    if (match && wanted.has(match[3]!)) tips.set(match[3]!, { commit: match[1]!, time: Number(match[2]) });
  }
  const ahead = [...new Set([...tips.values()].map((t) => t.commit))].filter((c) => c !== baseCommit);
  const parents = await commitsNotIn(repoRoot, baseCommit, ahead);
  // A base commit git no longer has: no branch can be measured against it (each one reads as gone).
  if (parents === null) return new Map();
  const facts = new Map<string, BranchFacts>();
  for (const [branch, tip] of tips) {
    const count = reachableWithin(parents, tip.commit);
    facts.set(branch, { ahead: count, tipTime: count > 0 ? new Date(tip.time * 1000) : null });
  }
  return facts;
}

async function readWorktreeFacts(
  candidate: Candidate,
  baseCommit: string,
  branches: Promise<Map<string, BranchFacts>>,
): Promise<WorktreeFacts> {
  const wt = candidate.worktree;
  const worktreeExists = await pathExists(wt);
  const [branchFacts, changes] = await Promise.all([
    branches.then((all) => all.get(candidate.branch) ?? null),
    worktreeExists ? readChanges(wt, baseCommit) : null,
  ]);
  const branchExists = branchFacts !== null;
  const ahead = branchFacts?.ahead ?? null;
  const tipTime = branchFacts?.tipTime ?? null;
  if (changes === null) {
    return {
      worktreeExists,
      branchExists,
      ahead,
      files: 0,
      added: 0,
      removed: 0,
      uncommitted: 0,
      untracked: 0,
      lastChange: tipTime,
    };
  }
  const newest = Math.max(changes.newestFile, tipTime?.getTime() ?? 0);
  return {
    worktreeExists,
    branchExists,
    ahead,
    files: changes.files,
    added: changes.added,
    removed: changes.removed,
    uncommitted: changes.uncommitted,
    untracked: changes.untracked,
    lastChange: newest > 0 ? new Date(newest) : null,
  };
}

/** What a worktree holds against the base: its lines, its uncommitted and untracked files, their newest change. */
async function readChanges(wt: string, baseCommit: string) {
  const [numstat, status] = await Promise.all([
    runGit(wt, [...READ_ONLY, 'diff', '--numstat', '-z', '--no-renames', baseCommit, '--']),
    runGit(wt, [...READ_ONLY, 'status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all']),
  ]);
  let added = 0;
  let removed = 0;
  const changedPaths: string[] = [];
  for (const entry of numstat.stdout.split('\0')) {
    const match = entry.match(/^(\d+|-)\t(\d+|-)\t(.*)$/s);
    if (!match) continue;
    if (match[1] !== '-') added += Number(match[1]);
    if (match[2] !== '-') removed += Number(match[2]);
    changedPaths.push(match[3]!);
  }
  // `status --untracked-files=all` lists exactly what `ls-files --others --exclude-standard` would.
  const statusEntries = status.stdout.split('\0').filter((e) => e.length > 0);
  const untrackedPaths = statusEntries.filter((e) => e.startsWith('?? ')).map((e) => e.slice(3));
  for (const file of untrackedPaths) added += await countLines(path.join(wt, file));
  const untracked = untrackedPaths.length;

  const mtimes = await Promise.all(
    [...changedPaths, ...untrackedPaths].slice(0, MAX_STATTED_PATHS).map((p) =>
      stat(path.join(wt, p)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return {
    files: changedPaths.length + untrackedPaths.length,
    added,
    removed,
    uncommitted: statusEntries.length - untracked,
    untracked,
    newestFile: Math.max(0, ...mtimes),
  };
}

/** Lines in a new file as git counts them (a last line without a newline counts); 0 for binary files. */
async function countLines(file: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size === 0 || size > MAX_COUNTED_BYTES) return 0;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    if (buffer.subarray(0, 8000).includes(0)) return 0;
    let lines = 0;
    for (const byte of buffer) if (byte === 10) lines++;
    return buffer[size - 1] === 10 ? lines : lines + 1;
  } catch {
    // A file that vanished or cannot be read between listing and reading adds no lines.
    return 0;
  } finally {
    await handle?.close();
  }
}
