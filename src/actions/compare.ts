import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { openContext } from '../commands/context.js';
import type { LoadedConfig } from '../config/load.js';
import { candidateEnv } from '../core/agent-command.js';
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
  parseNumstatZ,
  percent,
  quotePath,
  RANKING_RULE,
  rankCandidates,
  rankingRuleText,
  totalsOf,
} from '../core/compare-stats.js';
import { assertTaskName } from '../core/names.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { CommandFailure, Interrupted, UsageError } from '../errors.js';
import {
  type CheckResult,
  createCheckProgress,
  describeCheck,
  readChecks,
  readLogTail,
  recordChecks,
  runChecks,
} from '../io/checks.js';
import { lastLines } from '../io/exec.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { branchExists, git } from '../io/git.js';
import { isAlive } from '../io/lock.js';
import { sandboxPrefix } from '../io/sandbox.js';
import { withInterruptSignal } from '../io/signals.js';
import { diffNumstat, diffPatch, readWorktreeChanges, snapshotTree, treeOfCommit } from '../io/snapshot.js';
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
  numstat: string;
  patch: string;
  uncommitted: { changed: number; untracked: number } | null;
  state: string;
  agentRunning: boolean;
  /** Why this candidate could not be read (a nested repository without commits, a broken `.git` file). */
  problem: string | null;
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
  const gathered = await Promise.all(
    manifest.candidates.map((c) => gather(manifest, dir, c).catch((error) => unreadable(c, error))),
  );
  const checks = await checkResults(manifest, dir, gathered, check, timeoutSeconds, args.rerun, io);
  const report = buildReport(manifest, gathered, checks, check, timeoutSeconds);
  report.baseMoved = await baseMovement(manifest);
  if (manifest.sandbox) report.sandboxed = true;

  if (htmlFile !== null) {
    const { loadDiff2HtmlCss, renderHtmlReport } = await import('../output/html-report.js');
    const logTails = new Map<number, string>();
    for (const c of report.candidates) {
      if (c.check) logTails.set(c.n, lastLines((await readLogTail(c.check.logFile)) ?? '', 80));
    }
    const page = renderHtmlReport({
      report,
      patches: new Map(gathered.map((g) => [g.candidate.n, g.patch])),
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

async function gather(manifest: RunManifest, dir: string, candidate: Candidate): Promise<Gathered> {
  const root = manifest.repo.root;
  const worktreeMissing = !(await pathExists(candidate.worktree));
  const hasBranch = await branchExists(root, candidate.branch);
  // A candidate whose worktree was removed is still comparable through its branch.
  const tree = await candidateTree(manifest, candidate);
  const cwd = worktreeMissing ? root : candidate.worktree;
  const base = manifest.base.commit;
  const [commits, numstat, patch, uncommitted, record] = await Promise.all([
    hasBranch ? countCommits(root, base, candidate.branch) : null,
    tree ? diffNumstat(cwd, base, tree) : '',
    tree ? diffPatch(cwd, base, tree) : '',
    worktreeMissing ? null : readWorktreeChanges(candidate.worktree),
    readAgentRecord(dir, candidate.n),
  ]);
  const state = agentState(record);
  return {
    candidate,
    worktreeMissing,
    tree,
    commits,
    numstat,
    patch,
    uncommitted,
    state,
    agentRunning: state === 'running',
    problem: null,
  };
}

function unreadable(candidate: Candidate, error: unknown): Gathered {
  const message = error instanceof Error ? error.message : String(error);
  return {
    candidate,
    worktreeMissing: false,
    tree: null,
    commits: null,
    numstat: '',
    patch: '',
    uncommitted: null,
    state: 'unreadable',
    agentRunning: false,
    problem: `git could not read its work: ${message.split('\n').filter(Boolean).join(' ')}`,
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

async function countCommits(cwd: string, base: string, branch: string): Promise<number> {
  return Number(
    (await git(cwd, ['rev-list', '--count', `${base}..refs/heads/${branch}`, '--'])).stdout.trim(),
  );
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
      gathered.map((g) => ({ n: g.candidate.n, tree: g.worktreeMissing || g.problem ? null : g.tree })),
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

function buildReport(
  manifest: RunManifest,
  gathered: Gathered[],
  checks: Map<number, { result: CheckResult; ranNow: boolean }>,
  check: CheckCommand | null,
  timeoutSeconds: number,
): CompareReport {
  const changes = gathered.map((g) => ({ g, files: parseNumstatZ(g.numstat) }));
  const overlap = overlapOf(
    changes.map(({ g, files }) => ({
      n: g.candidate.n,
      files: new Set(files.map((f) => f.path)),
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
          current: g.tree !== null && isCurrentCheck(shown.result, shown.result.command, g.tree),
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
      filesChanged: totals.files,
      added: totals.added,
      deleted: totals.deleted,
      binaryFiles: totals.binaryFiles,
      files,
      uncommitted: g.uncommitted,
      check: checkReport,
      warnings: g.problem ? [g.problem] : [],
      rank: 0,
    };
  });
  const verdict = (c: CandidateReport): CheckVerdict =>
    !c.check?.current ? 'not run' : c.check.passed ? 'passed' : 'failed';
  const order = rankCandidates(
    reports.map((c) => ({
      n: c.n,
      check: verdict(c),
      changedLines: c.added + c.deleted,
      files: c.filesChanged,
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
  const sandboxed = report.sandboxed ? ' (sandboxed run)' : '';
  reporter.print(`${report.task}: ${report.candidates.length} candidates against ${base}${sandboxed}`);
  if (report.baseMoved) {
    const now = report.baseMoved.commit ? `is at ${report.baseMoved.commit.slice(0, 10)}` : 'is gone';
    reporter.warn(
      `the base branch ${report.baseMoved.ref} moved since the run started (it ${now}); changes are counted against the run's base ${report.base.commit.slice(0, 10)}`,
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
    c.binaryFiles > 0 ? `${c.filesChanged} (${c.binaryFiles} bin)` : String(c.filesChanged),
    `+${c.added} -${c.deleted}`,
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
  reporter.print('');
  reporter.print(report.ranking.text);
  if (report.candidates.some((c) => c.check && !c.check.current)) {
    reporter.print('(stale: the worktree changed since that check ran; it counts as not run.)');
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
