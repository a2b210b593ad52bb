import { reachableWithin } from '../core/commit-graph.js';
import type { FileChange } from '../core/compare-files.js';
import { parseRawNumstatZ, withWhitespaceFacts } from '../core/compare-files.js';
import type { CompareReport, Gathered } from '../core/compare-report.js';
import { candidateWarnings, conflictMarkersIn } from '../core/compare-warnings.js';
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
import { blobSizes, diffFilesAndPatch, diffPatch, snapshotTree, treeOfCommit } from './snapshot.js';
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
 * not hide the others). Their commits are counted together (issue 18): one `rev-list` for all that start
 * from the same commit, instead of one per candidate. `readIgnored`: whether a candidate's ignored files
 * are digested, which only a check (recorded or to run) needs.
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
  return candidates.map(async (candidate, i) => {
    const facts = await states[i]!;
    return gatherOne(manifest, dir, candidate, baseNow, facts, ownCommits(facts), readIgnored(candidate));
  });
}

async function gatherOne(
  manifest: RunManifest,
  dir: string,
  candidate: Candidate,
  baseNow: string | null,
  facts: CandidateGitState,
  ownCommits: Promise<number | null>,
  readIgnored: boolean,
): Promise<Gathered> {
  const root = manifest.repo.root;
  const runBase = manifest.base.commit;
  // A candidate whose worktree was removed is still comparable through its branch.
  const tree = await candidateTree(manifest, candidate, facts.indexFile ?? undefined);
  const cwd = facts.worktreeMissing ? root : candidate.worktree;
  // Its own work: from where it meets the base branch (the run's base, unless the base branch moved and
  // the candidate was rebased onto it, or the candidate was reset behind it).
  const from = facts.countFrom;
  const [
    commits,
    { files, patch },
    patchIgnoringWhitespace,
    uncommitted,
    record,
    merge,
    submodules,
    ignored,
  ] = await Promise.all([
    ownCommits,
    tree ? readFileChanges(cwd, from, tree) : { files: [], patch: '' },
    tree ? diffPatch(cwd, from, tree, { ignoreWhitespace: true }) : '',
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

/** The files a candidate changed, with the sizes of its binary files' two versions, and its patch. */
async function readFileChanges(
  cwd: string,
  base: string,
  tree: string,
): Promise<{ files: FileChange[]; patch: string }> {
  const diff = await diffFilesAndPatch(cwd, base, tree);
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
