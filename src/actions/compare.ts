import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { openContext } from '../commands/context.js';
import type { LoadedConfig } from '../config/load.js';
import { candidateEnv } from '../core/agent-command.js';
import {
  changeNotes,
  type FileChange,
  lineEndingOnlyFiles,
  parseRawNumstatZ,
  touchedPaths,
} from '../core/compare-files.js';
import {
  type CandidateReport,
  type CheckReport,
  type CheckVerdict,
  type CompareReport,
  candidatesToCheck,
  changedLines,
  isCurrentCheck,
  overlapOf,
  pairOf,
  percent,
  quotePath,
  RANKING_RULE,
  rankCandidates,
  rankingRuleText,
  totalsOf,
} from '../core/compare-stats.js';
import { candidateWarnings, conflictMarkersIn } from '../core/compare-warnings.js';
import { assertTaskName } from '../core/names.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, Interrupted, UsageError } from '../errors.js';
import { readCandidateGitState, submodulePaths, type TrialMerge, trialMerge } from '../io/candidate-state.js';
import {
  type CheckResult,
  createCheckProgress,
  describeCheck,
  ignoredFilesDigest,
  readChecks,
  readLogTail,
  recordChecks,
  runChecks,
} from '../io/checks.js';
import { lastLines } from '../io/exec.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { git } from '../io/git.js';
import { isAlive } from '../io/lock.js';
import { withInterruptSignal } from '../io/signals.js';
import {
  blobSizes,
  diffFiles,
  diffPatch,
  readWorktreeChanges,
  snapshotTree,
  treeOfCommit,
} from '../io/snapshot.js';
import { type AgentRecord, readAgentRecord, requireManifest } from '../io/state.js';
import { assertTrusted, trustSubject } from '../io/trust.js';
import { which } from '../io/which.js';
import { formatTable, type Reporter } from '../output/reporter.js';

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

/** What compare learns about one candidate before any check runs. */
interface Gathered {
  candidate: Candidate;
  worktreeMissing: boolean;
  tree: string | null;
  commits: number | null;
  files: FileChange[];
  patch: string;
  uncommitted: { changed: number; untracked: number } | null;
  state: string;
  agentRunning: boolean;
  /** The commit its own work is counted from (null when it could not be read). */
  countedFrom: string | null;
  /** A trial merge into the base branch as it is now, when that moved; null otherwise. */
  merge: TrialMerge | null;
  /** What is wrong with it: unreadable, gone, on another branch, mid-merge… (see candidateWarnings). */
  warnings: string[];
  /** The digest of its worktree's ignored files (ignoredFilesDigest); undefined without a worktree. */
  ignored?: string;
}

/**
 * `git parallel compare <task>`: every candidate's change against the base (committed, uncommitted and
 * untracked, read through a snapshot that changes nothing), the overlap between them, the project's check
 * run in every worktree at once, a ranking with its rule, and optionally an HTML report.
 */
export async function compare(args: CompareArgs, io: CompareIo): Promise<void> {
  assertTaskName(args.task);
  const context = await openContext(io.cwd, io.env);
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
  const report = buildReport(manifest, gathered, checks, check, timeoutSeconds);
  report.baseMoved = baseMoved;

  if (htmlFile !== null) {
    const { loadDiff2HtmlCss, renderHtmlReport } = await import('../output/html-report.js');
    const logTails = new Map<number, string>();
    for (const c of report.candidates) {
      if (c.check) logTails.set(c.n, lastLines((await readLogTail(c.check.logFile)) ?? '', 80));
    }
    const ignoringWhitespace = await Promise.all(
      gathered.map(
        async (g): Promise<[number, string]> => [
          g.candidate.n,
          g.tree && g.countedFrom
            ? await diffPatch(manifest.repo.root, g.countedFrom, g.tree, { ignoreWhitespace: true })
            : '',
        ],
      ),
    );
    const patches = new Map(gathered.map((g) => [g.candidate.n, g.patch]));
    const { sharedFiles } = await import('./compare-columns.js');
    const page = renderHtmlReport({
      report,
      patches,
      sharedFiles: await sharedFiles(manifest.repo.root, report, patches),
      patchesIgnoringWhitespace: new Map(ignoringWhitespace),
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

async function gather(
  manifest: RunManifest,
  dir: string,
  candidate: Candidate,
  baseNow: string | null,
): Promise<Gathered> {
  const root = manifest.repo.root;
  const runBase = manifest.base.commit;
  const facts = await readCandidateGitState(root, candidate, runBase, baseNow);
  // A candidate whose worktree was removed is still comparable through its branch.
  const tree = await candidateTree(manifest, candidate);
  const cwd = facts.worktreeMissing ? root : candidate.worktree;
  // Its own work: from where it meets the base branch (the run's base, unless the base branch moved and
  // the candidate was rebased onto it, or the candidate was reset behind it).
  const from = facts.countFrom;
  const [commits, files, patch, uncommitted, record, merge, submodules, containsBaseNow, ignored] =
    await Promise.all([
      facts.head === null ? null : countCommits(root, from, facts.head),
      tree ? readFileChanges(cwd, from, tree) : [],
      tree ? diffPatch(cwd, from, tree) : '',
      facts.worktreeMissing ? null : readWorktreeChanges(candidate.worktree),
      readAgentRecord(dir, candidate.n),
      baseNow !== null && baseNow !== runBase && tree && facts.head
        ? trialMerge(root, baseNow, facts.head, tree)
        : null,
      tree ? submodulePaths(root, tree) : new Set<string>(),
      baseNow !== null && facts.head !== null ? isAncestorOf(root, baseNow, facts.head) : false,
      facts.worktreeMissing ? undefined : ignoredFilesDigest(candidate.worktree),
    ]);
  const state = agentState(record);
  const changes = withLineEndings(files, patch);
  const warnings = candidateWarnings({
    ...facts,
    branch: candidate.branch,
    worktree: candidate.worktree,
    containsBaseNow,
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
    uncommitted,
    state,
    agentRunning: state === 'running',
    merge,
    warnings,
    ignored,
  };
}

async function isAncestorOf(cwd: string, ancestor: string, commit: string): Promise<boolean> {
  return (await git(cwd, ['merge-base', '--is-ancestor', ancestor, commit], { check: false })).exitCode === 0;
}

function unreadable(candidate: Candidate, error: unknown): Gathered {
  const message = error instanceof Error ? error.message : String(error);
  return {
    candidate,
    worktreeMissing: false,
    tree: null,
    countedFrom: null,
    commits: null,
    files: [],
    patch: '',
    uncommitted: null,
    state: 'unreadable',
    agentRunning: false,
    merge: null,
    warnings: [`git could not read its work: ${message.split('\n').filter(Boolean).join(' ')}`],
  };
}

/** The base branch's commit now, when it is no longer the run's base commit. */
async function baseMovement(manifest: RunManifest): Promise<CompareReport['baseMoved']> {
  const ref = manifest.base.ref;
  if (ref === null) return null;
  const now = await git(
    manifest.repo.root,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${ref}^{commit}`],
    { check: false },
  );
  const commit = now.exitCode === 0 ? now.stdout.trim() : null;
  return commit === manifest.base.commit ? null : { ref, commit };
}

/** The files a candidate changed, with the sizes of its binary files' two versions. */
async function readFileChanges(cwd: string, base: string, tree: string): Promise<FileChange[]> {
  const files = parseRawNumstatZ(await diffFiles(cwd, base, tree));
  const blobs = files
    .filter((f) => f.binary)
    .flatMap((f) => [f.oldBlob, f.newBlob])
    .filter((blob) => !/^0+$/.test(blob));
  const sizes = await blobSizes(cwd, [...new Set(blobs)]);
  return files.map((f) =>
    f.binary ? { ...f, oldSize: sizes.get(f.oldBlob) ?? null, newSize: sizes.get(f.newBlob) ?? null } : f,
  );
}

/** Marks the files whose change is only line endings (read from the patch, in the same file order). */
function withLineEndings(files: FileChange[], patch: string): FileChange[] {
  const flags = lineEndingOnlyFiles(patch);
  if (flags.length !== files.length) return files;
  return files.map((f, i) => (flags[i] ? { ...f, lineEndingsOnly: true } : f));
}

async function countCommits(cwd: string, from: string, head: string): Promise<number> {
  return Number((await git(cwd, ['rev-list', '--count', `${from}..${head}`, '--'])).stdout.trim());
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
  const jobs = gathered
    .filter((g) => due.has(g.candidate.n))
    .map((g) => ({
      n: g.candidate.n,
      name: g.candidate.name,
      worktree: g.candidate.worktree,
      env: { ...io.env, ...candidateEnv(manifest, g.candidate) },
      tree: g.tree!,
      ignored: g.ignored ?? '',
    }));
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

function buildReport(
  manifest: RunManifest,
  gathered: Gathered[],
  checks: Map<number, { result: CheckResult; ranNow: boolean }>,
  check: CheckCommand | null,
  timeoutSeconds: number,
): CompareReport {
  const changes = gathered.map((g) => ({ g, files: g.files }));
  const overlap = overlapOf(
    changes.map(({ g, files }) => ({
      n: g.candidate.n,
      files: new Set(files.flatMap(touchedPaths)),
      lines: changedLines(g.patch),
    })),
  );
  const reports: CandidateReport[] = changes.map(({ g, files }) => {
    const totals = totalsOf(files);
    const shown = checks.get(g.candidate.n);
    const checkReport: CheckReport | null = shown
      ? {
          command: shown.result.command,
          passed: shown.result.passed,
          exitCode: shown.result.exitCode,
          signal: shown.result.signal,
          timedOut: shown.result.timedOut,
          startedAt: shown.result.startedAt,
          finishedAt: shown.result.finishedAt,
          durationMs: shown.result.durationMs,
          logFile: shown.result.logFile,
          current: g.tree !== null && isCurrentCheck(shown.result, shown.result.command, g.tree, g.ignored),
          ranNow: shown.ranNow,
        }
      : null;
    return {
      n: g.candidate.n,
      name: g.candidate.name,
      branch: g.candidate.branch,
      worktree: g.candidate.worktree,
      agent: g.candidate.agent,
      state: g.state,
      worktreeMissing: g.worktreeMissing,
      tree: g.tree,
      commits: g.commits,
      // Nothing to compare is not "changed nothing": no numbers at all.
      filesChanged: g.tree === null ? null : totals.files,
      added: g.tree === null ? null : totals.added,
      deleted: g.tree === null ? null : totals.deleted,
      binaryFiles: totals.binaryFiles,
      files,
      uncommitted: g.uncommitted,
      check: checkReport,
      countedFrom: g.countedFrom,
      mergesIntoBase: g.merge,
      warnings: g.warnings,
      rank: 0,
    };
  });
  const verdict = (c: CandidateReport): CheckVerdict =>
    !c.check?.current ? 'not run' : c.check.passed ? 'passed' : 'failed';
  const order = rankCandidates(
    reports.map((c) => ({
      n: c.n,
      check: verdict(c),
      changedLines: (c.added ?? 0) + (c.deleted ?? 0),
      files: c.filesChanged ?? 0,
      warned: c.warnings.length > 0,
    })),
  );
  for (const c of reports) c.rank = order.indexOf(c.n) + 1;
  return {
    task: manifest.task,
    base: manifest.base,
    baseMoved: null,
    generatedAt: new Date().toISOString(),
    check: check ? { command: check.command, source: check.source, timeoutSeconds } : null,
    ranking: { rule: RANKING_RULE.map((key) => key.text), text: rankingRuleText(), order },
    candidates: reports.sort((a, b) => a.n - b.n),
    overlap,
  };
}

function printReport(report: CompareReport, reporter: Reporter): void {
  const base = `${report.base.ref ?? '(detached HEAD)'} @ ${report.base.commit.slice(0, 10)}`;
  reporter.print(`${report.task}: ${report.candidates.length} candidates against ${base}`);
  if (report.baseMoved) {
    const now = report.baseMoved.commit ? `is at ${report.baseMoved.commit.slice(0, 10)}` : 'is gone';
    reporter.warn(
      `the base branch ${report.baseMoved.ref} moved since the run started (it ${now}); each candidate's own work is counted from its merge base with it`,
    );
  }
  reporter.print('');
  const ranked = [...report.candidates].sort((a, b) => a.rank - b.rank);
  const rows = ranked.map((c) => [
    String(c.rank),
    String(c.n),
    c.name,
    c.agent,
    c.state,
    c.commits === null ? '-' : String(c.commits),
    c.filesChanged === null
      ? '-'
      : c.binaryFiles > 0
        ? `${c.filesChanged} (${c.binaryFiles} bin)`
        : String(c.filesChanged),
    c.added === null ? '-' : `+${c.added} -${c.deleted}`,
    uncommittedText(c),
    c.check ? `${describeCheck(c.check)}${c.check.current ? '' : ' (stale)'}` : '-',
    c.check ? c.check.logFile : '',
  ]);
  // RANK and N apart: commands (diff, pick) take the candidate number N, never the rank.
  const header = [
    'RANK',
    'N',
    'CANDIDATE',
    'AGENT',
    'STATE',
    'COMMITS',
    'FILES',
    '+/-',
    'UNCOMMITTED',
    'CHECK',
    'LOG',
  ];
  for (const line of formatTable(header, rows)) reporter.print(line);
  for (const c of report.candidates) {
    for (const warning of c.warnings) reporter.warn(`${c.name}: ${quotePath(warning)}`);
  }
  if (report.baseMoved) {
    reporter.print('');
    reporter.print(
      `Own work is counted from each candidate's merge base with ${report.baseMoved.ref} as it is now. Merges cleanly into it now:`,
    );
    for (const c of ranked) reporter.print(`  ${c.name}: ${mergeText(c)}`);
  }
  reporter.print('');
  reporter.print(report.ranking.text);
  if (report.candidates.some((c) => c.check && !c.check.current)) {
    reporter.print('(stale: the worktree changed since that check ran; it counts as not run.)');
  }

  reporter.print('');
  reporter.print('Files (A added, M modified, D deleted, R renamed, C copied, T type changed)');
  for (const c of ranked) {
    reporter.print(`  ${c.name}:${c.files.length === 0 ? ' none' : ''}`);
    for (const line of fileLines(c.files)) reporter.print(`    ${line}`);
  }

  const names = new Map(report.candidates.map((c) => [c.n, c.name]));
  reporter.print('');
  reporter.print('Overlap');
  if (report.candidates.length >= 2) {
    reporter.print(
      `  touched by all ${report.candidates.length}: ${fileSummary(report.overlap.touchedByAll)}`,
    );
  }
  for (const only of report.overlap.touchedByOne) {
    reporter.print(`  only ${names.get(only.n)}: ${fileSummary(only.files)}`);
  }
  if (report.candidates.length >= 2) {
    reporter.print('');
    reporter.print('Similarity (Jaccard, shared ÷ all: changed files · changed lines)');
    const matrix = report.candidates.map((row) => [
      row.name,
      ...report.candidates.map((col) => {
        const pair = pairOf(report.overlap.pairs, row.n, col.n);
        return pair ? `${percent(pair.files)} · ${percent(pair.lines)}` : '-';
      }),
    ]);
    for (const line of formatTable(['', ...report.candidates.map((c) => c.name)], matrix))
      reporter.print(`  ${line}`);
  }
  const best = ranked[0];
  if (best) {
    reporter.print('');
    reporter.print(`See a change: git parallel diff ${report.task} ${best.n}`);
    reporter.print(`Keep one:     git parallel pick ${report.task} ${best.n}`);
  }
  if (report.check === null) {
    reporter.print(`Run a check:  git parallel compare ${report.task} --check "npm test"`);
  }
}

/** One line per changed file (at most `limit`): status, name (old → new for a rename), lines, notes. */
export function fileLines(files: FileChange[], limit = 40): string[] {
  const lines = files.slice(0, limit).map((f) => {
    const name = f.oldPath === null ? quotePath(f.path) : `${quotePath(f.oldPath)} → ${quotePath(f.path)}`;
    const counts = f.binary ? 'binary' : `+${f.added} -${f.deleted}`;
    const notes = changeNotes(f).filter(
      (note) => !/^(renamed|copied) from /.test(note) && !note.startsWith('binary'),
    );
    const similarity = f.similarity === null ? '' : ` (${f.similarity}%)`;
    const sizes = f.binary ? ` ${binarySizes(f)}` : '';
    return `${f.status} ${name}${similarity}  ${counts}${sizes}${notes.length > 0 ? `  ${notes.join('; ')}` : ''}`;
  });
  if (files.length > limit) lines.push(`… and ${files.length - limit} more`);
  return lines;
}

function binarySizes(f: FileChange): string {
  const size = (bytes: number | null) => (bytes === null ? '–' : String(bytes));
  return `${size(f.oldSize)} → ${size(f.newSize)} bytes`;
}

export function mergeText(c: CandidateReport): string {
  const from = c.countedFrom ? ` (counted from ${c.countedFrom.slice(0, 10)})` : '';
  if (c.mergesIntoBase === null) return `not known${from}`;
  if (c.mergesIntoBase.clean) return `yes${from}`;
  const conflicts = c.mergesIntoBase.conflicts;
  return `no, conflicts in ${fileSummary(conflicts)}${from}`;
}

function uncommittedText(c: CandidateReport): string {
  if (c.uncommitted === null) return 'no worktree';
  const { changed, untracked } = c.uncommitted;
  if (changed === 0 && untracked === 0) return 'no';
  return [changed > 0 ? `${changed} changed` : '', untracked > 0 ? `${untracked} untracked` : '']
    .filter(Boolean)
    .join(', ');
}

function fileSummary(files: string[], limit = 6): string {
  if (files.length === 0) return 'none';
  const shown = files.slice(0, limit).map(quotePath).join(', ');
  return files.length > limit ? `${shown} and ${files.length - limit} more` : shown;
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
  await new Promise<void>((resolve, reject) => {
    const child = spawn(opener, [file], { cwd: io.cwd, env: io.env, stdio: 'ignore', detached: true });
    child.on('error', (error) => reject(new CommandFailure(`could not run ${opener}: ${error.message}`)));
    child.on('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/**
 * The content of a candidate as it is now (a snapshot of its worktree, which changes nothing), or its
 * branch's tree when the worktree is gone; null when both are gone.
 */
export async function candidateTree(manifest: RunManifest, candidate: Candidate): Promise<string | null> {
  if (await pathExists(candidate.worktree)) return snapshotTree(candidate.worktree);
  return treeOfCommit(manifest.repo.root, `refs/heads/${candidate.branch}`);
}
