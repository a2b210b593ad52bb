import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { candidateEnv } from '../core/agent-command.js';
import {
  type FileChange,
  lineEndingOnlyFiles,
  parseRawNumstatZ,
  whitespaceOnlyFiles,
} from '../core/compare-files.js';
import { buildCompareReport, type Gathered } from '../core/compare-report.js';
import { type CompareReport, candidatesToCheck } from '../core/compare-stats.js';
import { candidateWarnings, conflictMarkersIn } from '../core/compare-warnings.js';
import { assertTaskName } from '../core/names.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { Interrupted, UsageError } from '../errors.js';
import { readCandidateCost } from '../io/agent-usage.js';
import { readCandidateGitState, submodulePaths, trialMerge } from '../io/candidate-state.js';
import {
  type CheckResult,
  createCheckProgress,
  ignoredFilesDigest,
  readChecks,
  readLogTail,
  recordChecks,
  runChecks,
} from '../io/checks.js';
import { lastLines, startDetached } from '../io/exec.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { commitsBetween, resolveCommit } from '../io/git.js';
import { isAlive } from '../io/lock.js';
import { reviewForReport } from '../io/review-state.js';
import { sandboxPrefix } from '../io/sandbox.js';
import { withInterruptSignal } from '../io/signals.js';
import { blobSizes, diffFilesAndPatch, diffPatch, snapshotTree, treeOfCommit } from '../io/snapshot.js';
import { type AgentRecord, readAgentRecord, requireManifest } from '../io/state.js';
import { assertTrusted, trustSubject } from '../io/trust.js';
import { which } from '../io/which.js';
import { printReport } from '../output/compare-text.js';
import type { Reporter } from '../output/reporter.js';
import { openContext } from './context.js';

export interface CompareArgs {
  task: string;
  /** The check command; false for --no-check (show recorded results, run nothing). */
  check?: string | false;
  /** Seconds. */
  checkTimeout?: number;
  rerun: boolean;
  html?: string;
  open: boolean;
  /** Approve the repository config's check for this invocation only. */
  trust?: boolean;
}

export interface CompareIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  /** Where live check progress is drawn (stderr). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where to ask for approval of a repository's check, when there is a terminal. */
  stdin?: NodeJS.ReadableStream;
  isTerminal?: boolean;
}

/** The check command to run, and where it came from. */
export interface CheckCommand {
  command: string;
  source: 'flag' | 'config';
  /** The config files that were read (the setting came from the last one that has it). */
  files: string[];
}

/**
 * The one place a check command is chosen: `--check` wins, `--no-check` turns it off, else the `check`
 * setting. A command from a repository's config runs code the repository's authors wrote, so approval
 * of it (trust) is to be added here and nowhere else.
 */
export function checkCommandFrom(
  args: Pick<CompareArgs, 'check'>,
  loaded: LoadedConfig,
): CheckCommand | null {
  if (args.check === false) return null;
  if (typeof args.check === 'string') {
    if (args.check.trim() === '') throw new UsageError('--check needs a command, such as --check "npm test"');
    return { command: args.check, source: 'flag', files: [] };
  }
  const configured = loaded.config.check;
  if (configured === null) return null;
  return {
    command: configured,
    source: 'config',
    files: loaded.sources.flatMap((s) => (s.file ? [s.file] : [])),
  };
}

/**
 * `git parallel compare <task>`: every candidate's change against the base (committed, uncommitted and
 * untracked, read through a snapshot that changes nothing), the overlap between them, the project's check
 * run in every worktree at once, a ranking with its rule, and optionally an HTML report.
 */
export async function compare(args: CompareArgs, io: CompareIo): Promise<void> {
  assertTaskName(args.task);
  const context = await openContext(io.cwd, io.env, (line) => io.reporter.warn(line));
  const { manifest, dir } = await requireManifest(context.repo.commonDir, args.task);
  const check = checkCommandFrom(args, context.loaded);
  // A check from the repository's config is a command someone else wrote: it runs only once approved.
  if (check?.source === 'config' && context.loaded.repositoryConfig?.check) {
    await assertTrusted(await trustSubject(context.loaded, context.repo.mainRoot), {
      env: io.env,
      oneOff: Boolean(args.trust) || io.env.GIT_PARALLEL_TRUST === '1',
      ask: io.isTerminal && io.stdin ? { input: io.stdin, output: process.stderr } : null,
      purpose: `run the check in every candidate of ${args.task}`,
    });
  }
  const timeoutSeconds = args.checkTimeout ?? context.loaded.config.checkTimeout;
  if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) {
    throw new UsageError(`--check-timeout must be a number of seconds above 0, got ${args.checkTimeout}`);
  }
  const htmlFile =
    args.html !== undefined || args.open
      ? path.resolve(io.cwd, args.html ?? path.join(dir, 'report.html'))
      : null;
  if (htmlFile !== null) await assertWritableFolder(htmlFile);

  // One candidate that git cannot read must not hide the others: it becomes a row with a warning.
  const baseMoved = await baseMovement(manifest);
  const baseNow = baseMoved ? baseMoved.commit : manifest.base.commit;
  const gathered = await Promise.all(
    manifest.candidates.map((c) => gather(manifest, dir, c, baseNow).catch((error) => unreadable(c, error))),
  );
  const checks = await checkResults(manifest, dir, gathered, check, timeoutSeconds, args.rerun, io);
  const report = buildCompareReport(manifest, gathered, checks, check, timeoutSeconds);
  report.baseMoved = baseMoved;
  // Issue 16: what each candidate cost, from its agent's own files.
  for (const c of report.candidates) {
    const candidate = manifest.candidates.find((m) => m.n === c.n);
    if (candidate) c.cost = await readCandidateCost(manifest, candidate, dir, io.env);
  }
  if (manifest.sandbox) report.sandboxed = true;
  report.review = await reviewForReport(dir, report.candidates, (line) => io.reporter.warn(line));

  if (htmlFile !== null) {
    const { loadDiff2HtmlCss, renderHtmlReport } = await import('../output/html-report.js');
    const logTails = new Map<number, string>();
    for (const c of report.candidates) {
      if (c.check) logTails.set(c.n, lastLines((await readLogTail(c.check.logFile)) ?? '', 80));
    }
    const patches = new Map(gathered.map((g) => [g.candidate.n, g.patch]));
    const { sharedFiles } = await import('./compare-columns.js');
    const page = renderHtmlReport({
      report,
      patches,
      sharedFiles: await sharedFiles(manifest.repo.root, report, patches),
      patchesIgnoringWhitespace: new Map(gathered.map((g) => [g.candidate.n, g.patchIgnoringWhitespace])),
      logTails,
      diff2htmlCss: await loadDiff2HtmlCss(),
    });
    await writeFileAtomic(htmlFile, page);
  }

  io.reporter.document({ ...report, html: htmlFile });
  if (!io.reporter.json) printReport(report, io.reporter);
  if (htmlFile !== null) {
    io.reporter.info(`Report: ${htmlFile}`);
    if (args.open) await openInBrowser(htmlFile, io);
  }
}

/** What compare learns about one candidate (also what `review` shows its reviewers). */
export async function gather(
  manifest: RunManifest,
  dir: string,
  candidate: Candidate,
  baseNow: string | null,
): Promise<Gathered> {
  const root = manifest.repo.root;
  const runBase = manifest.base.commit;
  const facts = await readCandidateGitState(root, candidate, runBase, baseNow);
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
    facts.head === null ? null : commitsBetween(root, from, facts.head),
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
    facts.worktreeMissing ? undefined : ignoredFilesDigest(candidate.worktree),
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

export function unreadable(candidate: Candidate, error: unknown): Gathered {
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
 * Marks the files whose change is only line endings, or only whitespace (read from the patch and the
 * patch made with -w, in the same file order as the raw listing).
 */
function withWhitespaceFacts(files: FileChange[], patch: string, ignoringWhitespace: string): FileChange[] {
  const lineEndings = lineEndingOnlyFiles(patch);
  const whitespace = whitespaceOnlyFiles(patch, ignoringWhitespace);
  if (lineEndings.length !== files.length) return files;
  return files.map((f, i) => ({ ...f, lineEndingsOnly: lineEndings[i]!, whitespaceOnly: whitespace[i]! }));
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

/** Runs the checks that are due (in parallel), records them, and returns every result worth showing. */
async function checkResults(
  manifest: RunManifest,
  dir: string,
  gathered: Gathered[],
  check: CheckCommand | null,
  timeoutSeconds: number,
  rerun: boolean,
  io: CompareIo,
): Promise<Map<number, { result: CheckResult; ranNow: boolean }>> {
  const recordedFile = await readChecks(dir);
  const recorded = new Map<number, CheckResult>(
    recordedFile && (check === null || recordedFile.command === check.command)
      ? Object.values(recordedFile.results).map((r) => [r.n, r])
      : [],
  );
  const shown = new Map([...recorded].map(([n, result]) => [n, { result, ranNow: false }]));
  if (check === null) return shown;

  const due = new Set(
    candidatesToCheck(
      gathered.map((g) => ({
        n: g.candidate.n,
        tree: g.worktreeMissing || g.countedFrom === null ? null : g.tree,
        ignored: g.ignored,
      })),
      recorded,
      check.command,
      rerun,
    ),
  );
  const jobs = await Promise.all(
    gathered
      .filter((g) => due.has(g.candidate.n))
      .map(async (g) => ({
        n: g.candidate.n,
        name: g.candidate.name,
        worktree: g.candidate.worktree,
        env: { ...io.env, ...candidateEnv(manifest, g.candidate) },
        tree: g.tree!,
        ignored: g.ignored ?? '',
        // Issue 17: a sandboxed run's checks run in the candidate's sandbox.
        within: await sandboxPrefix(manifest, g.candidate, dir, io.env),
      })),
  );
  for (const g of gathered) {
    if (g.worktreeMissing) {
      io.reporter.warn(`${g.candidate.name} has no worktree (${g.candidate.worktree}); its check is skipped`);
    } else if (due.has(g.candidate.n) && g.agentRunning) {
      io.reporter.warn(`${g.candidate.name}'s agent is still running; its check sees the work as it is now`);
    }
  }
  if (jobs.length === 0) {
    if (recorded.size > 0)
      io.reporter.info(`Check results for ${check.command} are current; --rerun runs them again.`);
    return shown;
  }

  io.reporter.info(
    `Running ${check.command} in ${jobs.length} worktree${jobs.length === 1 ? '' : 's'} at once…`,
  );
  const progress = createCheckProgress(io.progress, jobs, io.env);
  const results = await withInterruptSignal(async (signal, received) => {
    try {
      const finished = await runChecks({
        stateDir: dir,
        command: check.command,
        timeoutMs: timeoutSeconds * 1000,
        jobs,
        progress,
        signal,
      });
      const interruptedBy = received();
      if (interruptedBy) throw new Interrupted(interruptedBy);
      return finished;
    } finally {
      progress.close();
    }
  });
  await recordChecks(dir, check.command, results);
  for (const result of results) {
    shown.set(result.n, { result, ranNow: true });
    if (result.treeAfter !== null && result.treeAfter !== result.tree) {
      const name = manifest.candidates.find((c) => c.n === result.n)?.name ?? String(result.n);
      io.reporter.warn(`the check changed files in ${name}'s worktree (output that is not in .gitignore?)`);
    }
  }
  return shown;
}

async function assertWritableFolder(file: string): Promise<void> {
  const folder = path.dirname(file);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory())
    throw new UsageError(`cannot write the report to ${file}: ${folder} is not a folder`);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) throw new UsageError(`cannot write the report to ${file}: it is a folder`);
}

/**
 * Opens the report with the desktop's opener (xdg-open on Linux and BSD, open on macOS), detached so
 * compare does not wait for the browser. Without one, it says where the file is.
 */
async function openInBrowser(file: string, io: CompareIo): Promise<void> {
  const opener = await which(process.platform === 'darwin' ? 'open' : 'xdg-open', io.cwd, io.env);
  if (!opener) {
    io.reporter.warn(
      `found no ${process.platform === 'darwin' ? 'open' : 'xdg-open'} to open the report; open ${file} in a browser`,
    );
    return;
  }
  await startDetached(opener, [file], { cwd: io.cwd, env: io.env });
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
