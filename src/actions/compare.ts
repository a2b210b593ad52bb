import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { candidateEnv } from '../core/agent-command.js';
import { candidatesToCheck } from '../core/compare-checks.js';
import { buildCompareReport, type Gathered } from '../core/compare-report.js';
import { assertTaskName } from '../core/names.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { Interrupted, UsageError } from '../errors.js';
import { readCandidateCost } from '../io/agent-usage.js';
import { openInBrowser } from '../io/browser.js';
import { baseMovement, gatherCandidates, unreadableCandidate } from '../io/candidate-changes.js';
import { type CheckResult, createCheckProgress, readChecks, recordChecks, runChecks } from '../io/checks.js';
import { assertReportWritable, writeHtmlReport } from '../io/html-report-file.js';
import { reviewForReport } from '../io/review-state.js';
import { sandboxPrefix } from '../io/sandbox.js';
import { withInterruptSignal } from '../io/signals.js';
import { requireManifest } from '../io/state.js';
import { assertTrusted, trustOptions, trustSubject } from '../io/trust.js';
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
      ...trustOptions(args.trust, io.env, io.isTerminal && io.stdin ? io.stdin : null),
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
  if (htmlFile !== null) await assertReportWritable(htmlFile);

  // One candidate that git cannot read must not hide the others: it becomes a row with a warning.
  const baseMoved = await baseMovement(manifest);
  const baseNow = baseMoved ? baseMoved.commit : manifest.base.commit;
  const recorded = recordedChecks(await readChecks(dir), check);
  // Only a check reads a worktree's ignored files: without one to run, a candidate with no recorded
  // result has nothing to match them against, so no `ls-files --ignored` runs for it (issue 18).
  const readIgnored = (c: Candidate) => check !== null || recorded.has(c.n);
  const gathered = await Promise.all(
    gatherCandidates(manifest, dir, manifest.candidates, baseNow, readIgnored).map((pending, i) =>
      pending.catch((error) => unreadableCandidate(manifest.candidates[i]!, error)),
    ),
  );
  const checks = await checkResults(manifest, dir, gathered, recorded, check, timeoutSeconds, args.rerun, io);
  const report = buildCompareReport(manifest, gathered, checks, check, timeoutSeconds);
  report.baseMoved = baseMoved;
  // Issue 16: what each candidate cost, from its agent's own files.
  for (const c of report.candidates) {
    const candidate = manifest.candidates.find((m) => m.n === c.n);
    if (candidate) c.cost = await readCandidateCost(manifest, candidate, dir, io.env);
  }
  if (manifest.sandbox) report.sandboxed = true;
  report.review = await reviewForReport(dir, report.candidates, (line) => io.reporter.warn(line));

  if (htmlFile !== null) await writeHtmlReport(htmlFile, report, gathered, manifest.repo.root);

  io.reporter.document({ ...report, html: htmlFile });
  if (!io.reporter.json) printReport(report, io.reporter);
  if (htmlFile !== null) {
    io.reporter.info(`Report: ${htmlFile}`);
    if (args.open) await openInBrowser(htmlFile, { ...io, warn: (line) => io.reporter.warn(line) });
  }
}

/** The recorded check results worth showing: all of them without a check to run, else that command's. */
function recordedChecks(
  recordedFile: Awaited<ReturnType<typeof readChecks>>,
  check: CheckCommand | null,
): Map<number, CheckResult> {
  return new Map<number, CheckResult>(
    recordedFile && (check === null || recordedFile.command === check.command)
      ? Object.values(recordedFile.results).map((r) => [r.n, r])
      : [],
  );
}

/** Runs the checks that are due (in parallel), records them, and returns every result worth showing. */
async function checkResults(
  manifest: RunManifest,
  dir: string,
  gathered: Gathered[],
  recorded: Map<number, CheckResult>,
  check: CheckCommand | null,
  timeoutSeconds: number,
  rerun: boolean,
  io: CompareIo,
): Promise<Map<number, { result: CheckResult; ranNow: boolean }>> {
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
