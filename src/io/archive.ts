import type { Candidate, RunManifest } from '../core/types.js';
import { pathExists } from './files.js';
import { reflogOnlyTips } from './git-risks.js';
import { runGit } from './git-runner.js';
import { readWorktreeChanges, snapshotTree } from './snapshot.js';

/**
 * Archives: a candidate's final state kept as a ref, so removing a run loses nothing.
 *
 * `refs/git-parallel/<task>/<n>` is outside refs/heads, so `git branch` does not list it and it clutters
 * nothing, yet it keeps the commits reachable (gc never drops them) until `prune --archives` deletes it.
 * Restore one with `git branch <name> refs/git-parallel/<task>/<n>`.
 *
 * The ref points at an annotated tag object (made with `git mktag`), which records WHEN the candidate
 * was archived (the tagger date, which `prune --archives --older-than` reads) and what it was (task,
 * candidate, branch, agent, base), and points at the commit that holds the work:
 *   - the branch tip when the worktree was clean;
 *   - otherwise a snapshot commit (`git commit-tree`, so no index, worktree or branch is changed) whose
 *     tree is the worktree as it was (committed + uncommitted + untracked, from `snapshotTree`) and whose
 *     parent is the branch tip, so the agent's commits stay in its history.
 * Annotated tags peel to their commit wherever git expects a commit (`git branch`, `git log`, `git diff`).
 *
 * Archiving a task name that already has an archive (a run of the same name picked before) keeps the
 * older one too, renamed to `refs/git-parallel/<task>/<n>-<archived UTC time>`.
 */
export const ARCHIVE_NAMESPACE = 'refs/git-parallel/';

export const archiveRef = (task: string, n: number) => `${ARCHIVE_NAMESPACE}${task}/${n}`;

export interface ArchiveResult {
  ref: string;
  /** The commit the archive keeps. */
  commit: string;
  /** Whether uncommitted or untracked work was kept in a snapshot commit. */
  snapshot: boolean;
  /** Where an older archive of the same name was moved, if there was one. */
  movedOlder: string | null;
}

export interface ArchiveEntry {
  ref: string;
  task: string;
  n: number | null;
  commit: string;
  archivedAt: Date;
  snapshot: boolean;
  branch: string | null;
  agent: string | null;
}

/** Archives every candidate of a run that still has a branch or a worktree. */
export async function archiveRun(manifest: RunManifest): Promise<ArchiveResult[]> {
  const results: ArchiveResult[] = [];
  for (const candidate of manifest.candidates) {
    const result = await archiveCandidate(manifest, candidate);
    if (result) results.push(result);
  }
  return results;
}

/** Archives one candidate; null when it has neither branch nor worktree left (nothing to keep). */
export async function archiveCandidate(
  manifest: RunManifest,
  candidate: Candidate,
): Promise<ArchiveResult | null> {
  const root = manifest.repo.root;
  const env = await identityEnv(root);
  const tip = await commitOf(root, `refs/heads/${candidate.branch}`);
  const worktreeExists = await pathExists(candidate.worktree);
  const head = worktreeExists ? await commitOf(candidate.worktree, 'HEAD') : null;
  if (tip === null && head === null) return null;

  const kept = [head, tip].filter((c): c is string => c !== null);
  // Commits only the reflogs reach (an agent's `reset --hard`, `commit --amend`) are kept as extra
  // parents of the snapshot (issue 10 F2): the reflogs go with the worktree and the branch.
  const reflogOnly = worktreeExists
    ? await reflogOnlyTips(root, candidate.worktree, {
        branch: tip === null ? null : candidate.branch,
        doomed: manifest.candidates.map((c) => c.branch),
        keep: [...kept, ...(manifest.base.commit ? [manifest.base.commit] : [])],
      })
    : [];
  const parents = [...new Set([...kept, ...reflogOnly])];
  const changes = worktreeExists
    ? await readWorktreeChanges(candidate.worktree)
    : { changed: 0, untracked: 0 };
  const dirty = changes.changed + changes.untracked > 0;
  // A HEAD that left the branch (the agent switched or detached) must stay reachable as well.
  const headOffBranch = head !== null && tip !== null && head !== tip && !(await isAncestor(root, head, tip));
  const snapshot = dirty || headOffBranch || reflogOnly.length > 0;
  let commit = tip ?? head!;
  if (snapshot) {
    const tree = worktreeExists ? await snapshotTree(candidate.worktree) : await treeOf(root, commit);
    const what = [
      changes.changed > 0 ? `${changes.changed} uncommitted change${changes.changed === 1 ? '' : 's'}` : null,
      changes.untracked > 0
        ? `${changes.untracked} untracked file${changes.untracked === 1 ? '' : 's'}`
        : null,
      reflogOnly.length > 0 ? 'the commits only its reflogs had, as further parents' : null,
    ].filter(Boolean);
    const message = `git-parallel snapshot of ${candidate.name}\n\nThe worktree ${candidate.worktree} as it was when the run was removed${
      what.length ? ` (${what.join(' and ')})` : ''
    }.\n`;
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])];
    commit = (await runGit(root, args, { env, input: message })).stdout.trim();
  }

  const ref = archiveRef(manifest.task, candidate.n);
  const body = [
    `task: ${manifest.task}`,
    `candidate: ${candidate.n}`,
    `branch: ${candidate.branch}`,
    `agent: ${candidate.agent}`,
    `base: ${manifest.base.commit}`,
    `snapshot: ${snapshot ? 'yes' : 'no'}`,
  ].join('\n');
  // The committer identity with the current time (GIT_COMMITTER_DATE is honoured, as by git itself).
  const tagger = (await runGit(root, ['var', 'GIT_COMMITTER_IDENT'], { env })).stdout.trim();
  const tagText = `object ${commit}\ntype commit\ntag git-parallel/${manifest.task}/${candidate.n}\ntagger ${tagger}\n\ngit-parallel archive of ${candidate.name}\n\n${body}\n`;
  const tag = (await runGit(root, ['mktag'], { input: tagText })).stdout.trim();

  // An older archive of the same name keeps the same work only if it peels to the same commit.
  let movedOlder: string | null = null;
  const older = (await listArchives(root)).find((a) => a.ref === ref);
  if (older && older.commit !== commit) {
    movedOlder = `${ref}-${compactTime(older.archivedAt)}`;
    await runGit(root, [
      'update-ref',
      '-m',
      'git-parallel: keep the older archive',
      movedOlder,
      await objectOf(root, ref),
    ]);
  }
  await runGit(root, ['update-ref', '-m', `git-parallel: archive ${candidate.name}`, ref, tag]);
  return { ref, commit, snapshot, movedOlder };
}

/** Every archive in the repository, oldest first. */
export async function listArchives(repoRoot: string): Promise<ArchiveEntry[]> {
  const fields = [
    '%(refname)',
    '%(objecttype)',
    '%(objectname)',
    '%(*objectname)',
    '%(taggerdate:unix)',
    '%(committerdate:unix)',
    '%(contents:body)',
  ];
  const result = await runGit(repoRoot, [
    'for-each-ref',
    `--format=${fields.join('%00')}%1e`,
    ARCHIVE_NAMESPACE,
  ]);
  const entries: ArchiveEntry[] = [];
  for (const record of result.stdout.split('\x1e')) {
    const [ref, type, object, peeled, taggerDate, committerDate, body] = record
      .replace(/^\n/, '')
      .split('\0');
    if (!ref || !object) continue;
    const meta = Object.fromEntries(
      (body ?? '')
        .split('\n')
        .map((line) => line.match(/^(\w+): (.*)$/))
        .filter((m): m is RegExpMatchArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
    const fromName = ref.slice(ARCHIVE_NAMESPACE.length).match(/^(.+)\/(\d+)(?:-[0-9TZ]+)?$/);
    const n = meta.candidate ?? fromName?.[2];
    entries.push({
      ref,
      task: meta.task ?? fromName?.[1] ?? ref.slice(ARCHIVE_NAMESPACE.length),
      n: n === undefined ? null : Number(n),
      commit: type === 'tag' && peeled ? peeled : object,
      archivedAt: new Date(Number(type === 'tag' ? taggerDate : committerDate) * 1000),
      snapshot: meta.snapshot === 'yes',
      branch: meta.branch ?? null,
      agent: meta.agent ?? null,
    });
  }
  return entries.sort(
    (a, b) => a.archivedAt.getTime() - b.archivedAt.getTime() || a.ref.localeCompare(b.ref),
  );
}

/** Deletes the archives archived before `now - olderThanMs` (all of them when null). */
export async function dropArchives(
  repoRoot: string,
  options: { olderThanMs: number | null; now: Date; dryRun: boolean },
): Promise<ArchiveEntry[]> {
  const cutoff =
    options.olderThanMs === null ? Number.POSITIVE_INFINITY : options.now.getTime() - options.olderThanMs;
  const doomed = (await listArchives(repoRoot)).filter((a) => a.archivedAt.getTime() <= cutoff);
  if (!options.dryRun) {
    for (const archive of doomed) await runGit(repoRoot, ['update-ref', '-d', archive.ref]);
  }
  return doomed;
}

async function commitOf(cwd: string, ref: string): Promise<string | null> {
  const result = await runGit(
    cwd,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    {
      check: false,
    },
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

async function objectOf(cwd: string, ref: string): Promise<string> {
  return (await runGit(cwd, ['rev-parse', '--verify', '--end-of-options', ref])).stdout.trim();
}

async function treeOf(cwd: string, commit: string): Promise<string> {
  return (await runGit(cwd, ['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`])).stdout.trim();
}

async function isAncestor(cwd: string, ancestor: string, of: string): Promise<boolean> {
  return (await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, of], { check: false })).exitCode === 0;
}

/**
 * The environment for writing objects: the user's identity when git has one, else a stand-in, so that
 * removing a run never fails for want of user.name (the archive is bookkeeping, not the user's commit).
 */
async function identityEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const probe = await runGit(cwd, ['var', 'GIT_COMMITTER_IDENT'], { check: false });
  if (probe.exitCode === 0) return process.env;
  const name = 'git-parallel';
  const email = 'git-parallel@localhost';
  return {
    ...process.env,
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
}

/** 20240501T120000Z: a time that fits in a ref name. */
function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
