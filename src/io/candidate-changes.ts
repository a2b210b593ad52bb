import { reachableWithin } from '../core/commit-graph.js';
import type { FileChange } from '../core/compare-files.js';
import { parseRawNumstatZ, withWhitespaceFacts } from '../core/compare-files.js';
import type { CompareReport, Gathered } from '../core/compare-report.js';
import { candidateWarnings, conflictMarkersIn } from '../core/compare-warnings.js';
import { touchesGitattributes } from '../core/diff-batch.js';
import type { Candidate, RunManifest } from '../core/types.js';
import {
  type CandidateGitState,
  readCandidateGitState,
  submodulePaths,
  trialMerge,
} from './candidate-state.js';
import { ignoredFilesDigest } from './checks.js';
import { pathExists } from './files.js';
import { commitsBetween, commitsNotIn, resolveCommit } from './git.js';
import { isAlive } from './lock.js';
import {
  blobSizes,
  diffFilesAndPatch,
  diffFilesAndPatchEach,
  diffPatch,
  diffPatchIgnoringWhitespaceEach,
  snapshotTree,
  treeOfCommit,
  treesOfCommits,
} from './snapshot.js';
import { type AgentRecord, readAgentRecord } from './state.js';

/**
 * What compare (and review, for its reviewers) reads about each candidate of a run: its change against
 * the base, committed, uncommitted and untracked, through a snapshot that changes nothing; whether the
 * base branch moved; the agent's state. The report built from it is core/compare-report.ts.
 */

/** What compare learns about one candidate (also what `review` shows its reviewers). */
export function gatherCandidate(
  manifest: RunManifest,
  dir: string,
  candidate: Candidate,
  baseNow: string | null,
): Promise<Gathered> {
  return gatherCandidates(manifest, dir, [candidate], baseNow)[0]!;
}

/**
 * What compare learns about each of `candidates`, one promise each (one candidate git cannot read must
 * not hide the others). What git can answer for many candidates at once is asked once (issue 18): their
 * commits, one `rev-list` for all that start from the same commit; their diffs, see batchedTreeDiffs.
 * What stays one git process per candidate reads that candidate's own worktree: its rev-parse (HEAD,
 * branch, merge base, operation, index), its `status`, and its snapshot (`add --all`, `write-tree`).
 * `readIgnored`: whether a candidate's ignored files are digested, which only a check (recorded or to
 * run) needs.
 */
export function gatherCandidates(
  manifest: RunManifest,
  dir: string,
  candidates: Candidate[],
  baseNow: string | null,
  readIgnored: (candidate: Candidate) => boolean = () => true,
): Promise<Gathered>[] {
  const root = manifest.repo.root;
  const states = candidates.map((c) => readCandidateGitState(root, c, manifest.base.commit, baseNow));
  // Asked by the first candidate whose state was read, so a batch nobody needs is never started.
  let graphs: Promise<Map<string, Map<string, string[]> | null>> | undefined;
  const commitGraphs = () => {
    graphs ??= Promise.allSettled(states).then(async (settled) => {
      const heads = new Map<string, Set<string>>();
      for (const s of settled) {
        if (s.status !== 'fulfilled' || s.value.head === null || s.value.head === s.value.countFrom) continue;
        heads.set(s.value.countFrom, (heads.get(s.value.countFrom) ?? new Set()).add(s.value.head));
      }
      return new Map(
        await Promise.all(
          [...heads].map(async ([from, tips]) => [from, await commitsNotIn(root, from, [...tips])] as const),
        ),
      );
    });
    return graphs;
  };
  const ownCommits = async (facts: CandidateGitState): Promise<number | null> => {
    if (facts.head === null) return null;
    if (facts.head === facts.countFrom) return 0;
    const graph = (await commitGraphs()).get(facts.countFrom);
    // A graph git could not list: the candidate's own rev-list says why (and makes it unreadable).
    return graph ? reachableWithin(graph, facts.head) : commitsBetween(root, facts.countFrom, facts.head);
  };
  // Each candidate's content: a snapshot of its worktree, or its branch's tree without one.
  const prepared = candidates.map((c, i) =>
    states[i]!.then(async (facts) => ({
      facts,
      tree: await candidateTree(manifest, c, facts.indexFile ?? undefined),
    })),
  );
  let batched: Promise<Map<number, TreeDiffs>> | undefined;
  const treeDiffs = () => {
    batched ??= Promise.allSettled(prepared).then((settled) =>
      batchedTreeDiffs(
        root,
        candidates,
        settled.map((s) => (s.status === 'fulfilled' ? s.value : null)),
      ),
    );
    return batched;
  };
  return candidates.map(async (candidate, i) => {
    const { facts, tree } = await prepared[i]!;
    const cwd = facts.worktreeMissing ? root : candidate.worktree;
    const diffs = tree
      ? treeDiffs().then((all) => all.get(i) ?? readTreeDiffs(cwd, facts.countFrom, tree))
      : Promise.resolve({ files: '', patch: '', patchIgnoringWhitespace: '' });
    return gatherOne(manifest, dir, candidate, baseNow, {
      facts,
      tree,
      ownCommits: ownCommits(facts),
      diffs,
      readIgnored: readIgnored(candidate),
    });
  });
}

/** A candidate's diffs against where its own work starts, as git prints them. */
interface TreeDiffs {
  /** `diff-tree -z --raw --numstat` records (parseRawNumstatZ). */
  files: string;
  patch: string;
  patchIgnoringWhitespace: string;
}

async function readTreeDiffs(cwd: string, from: string, tree: string): Promise<TreeDiffs> {
  const [{ files, patch }, patchIgnoringWhitespace] = await Promise.all([
    diffFilesAndPatch(cwd, from, tree),
    diffPatch(cwd, from, tree, { ignoreWhitespace: true }),
  ]);
  return { files, patch, patchIgnoringWhitespace };
}

/**
 * The diffs of every candidate that shares its starting commit with another, two `diff-tree --stdin`
 * per such group instead of two `diff-tree` per candidate (issue 18). git reads the attributes that shape
 * a diff (`-diff`, `binary`, a diff driver) from the worktree it runs in, so a group's diffs run in its
 * first candidate's worktree (or in the repository, where each ran before, for candidates without one),
 * and another candidate's diff is kept only when neither it nor that first one changed a .gitattributes:
 * then both worktrees hold the starting commit's attributes. The rest, and any group git's output does
 * not split for, are diffed one by one, as before.
 */
async function batchedTreeDiffs(
  root: string,
  candidates: Candidate[],
  prepared: ({ facts: CandidateGitState; tree: string | null } | null)[],
): Promise<Map<number, TreeDiffs>> {
  const groups = new Map<string, number[]>();
  for (const [i, p] of prepared.entries()) {
    if (!p || p.tree === null) continue;
    const key = `${p.facts.countFrom} ${p.facts.worktreeMissing}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const shared = [...groups.values()].filter((members) => members.length > 1);
  const found = new Map<number, TreeDiffs>();
  if (shared.length === 0) return found;
  const ready = (i: number) => prepared[i]!;
  const fromTrees = await treesOfCommits(root, [
    ...new Set(shared.map((members) => ready(members[0]!).facts.countFrom)),
  ]).catch(() => null);
  if (fromTrees === null) return found;
  await Promise.all(
    shared.map(async (members) => {
      const first = ready(members[0]!);
      const inRepository = first.facts.worktreeMissing;
      const cwd = inRepository ? root : candidates[members[0]!]!.worktree;
      const fromTree = fromTrees.get(first.facts.countFrom)!;
      const pairs = members.map((i): [string, string] => [fromTree, ready(i).tree!]);
      // A batch git refuses is asked again candidate by candidate, where the failure belongs to one.
      const [withFiles, ignoringWhitespace] = await Promise.all([
        diffFilesAndPatchEach(cwd, pairs).catch(() => null),
        diffPatchIgnoringWhitespaceEach(cwd, pairs).catch(() => null),
      ]);
      if (!withFiles || !ignoringWhitespace) return;
      const firstChangesAttributes = changesAttributes(withFiles[0]!.files);
      for (const [k, i] of members.entries()) {
        const sameAttributes =
          k === 0 || inRepository || !(firstChangesAttributes || changesAttributes(withFiles[k]!.files));
        if (sameAttributes)
          found.set(i, { ...withFiles[k]!, patchIgnoringWhitespace: ignoringWhitespace[k]! });
      }
    }),
  );
  return found;
}

/** Whether raw diff records add, change, remove or rename a .gitattributes (unreadable ones count as yes). */
function changesAttributes(files: string): boolean {
  try {
    return touchesGitattributes(parseRawNumstatZ(files));
  } catch {
    // Not parsed here: the candidate's own diff is read, and its parse error reported, the usual way.
    return true;
  }
}

interface GatherInput {
  facts: CandidateGitState;
  tree: string | null;
  ownCommits: Promise<number | null>;
  diffs: Promise<TreeDiffs>;
  readIgnored: boolean;
}

async function gatherOne(
  manifest: RunManifest,
  dir: string,
  candidate: Candidate,
  baseNow: string | null,
  { facts, tree, ownCommits, diffs, readIgnored }: GatherInput,
): Promise<Gathered> {
  const root = manifest.repo.root;
  const runBase = manifest.base.commit;
  const cwd = facts.worktreeMissing ? root : candidate.worktree;
  // Its own work: from where it meets the base branch (the run's base, unless the base branch moved and
  // the candidate was rebased onto it, or the candidate was reset behind it).
  const from = facts.countFrom;
  const [
    commits,
    { files, patch, patchIgnoringWhitespace },
    uncommitted,
    record,
    merge,
    submodules,
    ignored,
  ] = await Promise.all([
    ownCommits,
    diffs.then((d) => readFileChanges(cwd, d)),
    facts.uncommitted,
    readAgentRecord(dir, candidate.n),
    baseNow !== null && baseNow !== runBase && tree && facts.head
      ? trialMerge(root, baseNow, facts.head, tree)
      : null,
    tree
      ? submodulePaths(root, tree, facts.worktreeMissing ? undefined : candidate.worktree)
      : new Set<string>(),
    facts.worktreeMissing || !readIgnored ? undefined : ignoredFilesDigest(candidate.worktree),
  ]);
  const state = agentState(record);
  const changes = withWhitespaceFacts(files, patch, patchIgnoringWhitespace);
  const warnings = candidateWarnings({
    ...facts,
    branch: candidate.branch,
    worktree: candidate.worktree,
    runBase,
    files: changes,
    conflictMarkers: conflictMarkersIn(patch),
    submodules,
  });
  return {
    candidate,
    worktreeMissing: facts.worktreeMissing,
    tree,
    countedFrom: from,
    commits,
    files: changes,
    patch,
    patchIgnoringWhitespace,
    uncommitted,
    state,
    agentRunning: state === 'running',
    merge,
    warnings,
    ignored,
  };
}

export function unreadableCandidate(candidate: Candidate, error: unknown): Gathered {
  const message = error instanceof Error ? error.message : String(error);
  return {
    candidate,
    worktreeMissing: false,
    tree: null,
    countedFrom: null,
    commits: null,
    files: [],
    patch: '',
    patchIgnoringWhitespace: '',
    uncommitted: null,
    state: 'unreadable',
    agentRunning: false,
    merge: null,
    warnings: [`git could not read its work: ${message.split('\n').filter(Boolean).join(' ')}`],
  };
}

/** The base branch's commit now, when it is no longer the run's base commit. */
export async function baseMovement(manifest: RunManifest): Promise<CompareReport['baseMoved']> {
  const ref = manifest.base.ref;
  if (ref === null) return null;
  const commit = await resolveCommit(manifest.repo.root, `refs/heads/${ref}`);
  return commit === manifest.base.commit ? null : { ref, commit };
}

/** The files a candidate changed, with the sizes of its binary files' two versions, and its patches. */
async function readFileChanges(
  cwd: string,
  diff: TreeDiffs,
): Promise<{ files: FileChange[]; patch: string; patchIgnoringWhitespace: string }> {
  const files = parseRawNumstatZ(diff.files);
  const blobs = files
    .filter((f) => f.binary)
    .flatMap((f) => [f.oldBlob, f.newBlob])
    .filter((blob) => !/^0+$/.test(blob));
  const sizes = await blobSizes(cwd, [...new Set(blobs)]);
  return {
    files: files.map((f) =>
      f.binary ? { ...f, oldSize: sizes.get(f.oldBlob) ?? null, newSize: sizes.get(f.newBlob) ?? null } : f,
    ),
    patch: diff.patch,
    patchIgnoringWhitespace: diff.patchIgnoringWhitespace,
  };
}

/**
 * The candidate's agent as the launcher recorded it. A minimal reading of the record: `status` builds
 * the richer picture (waiting for input, idle); compare only needs to know whether the work is final.
 */
export function agentState(record: AgentRecord | null, alive: (pid: number) => boolean = isAlive): string {
  if (!record) return 'not started';
  if (!record.exit) return record.pid > 0 && alive(record.pid) ? 'running' : 'stopped';
  if (record.exit.signal) return `killed (${record.exit.signal})`;
  return record.exit.code === 0 ? 'done' : `failed (${record.exit.code})`;
}

/**
 * The content of a candidate as it is now (a snapshot of its worktree, which changes nothing), or its
 * branch's tree when the worktree is gone; null when both are gone.
 */
export async function candidateTree(
  manifest: RunManifest,
  candidate: Candidate,
  indexFile?: string,
): Promise<string | null> {
  if (await pathExists(candidate.worktree)) return snapshotTree(candidate.worktree, { indexFile });
  return treeOfCommit(manifest.repo.root, `refs/heads/${candidate.branch}`);
}
