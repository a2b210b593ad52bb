import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addUsage, type TokenUsage } from '../core/agent-usage.js';
import { describeCommand, lastLines } from '../core/command-text.js';
import { describeCheck, isCurrentCheck } from '../core/compare-checks.js';
import type { Gathered } from '../core/compare-report.js';
import { totalsOf } from '../core/compare-stats.js';
import { assertTaskName } from '../core/names.js';
import { answerSchema, checkAnswer, type ReviewAnswer } from '../core/review-answer.js';
import { assignLetters, scrubberFor } from '../core/review-blind.js';
import { type BlindCandidate, DEFAULT_REVIEW_BUDGET, renderReviewPrompt } from '../core/review-prompt.js';
import { combineVerdicts, unblindAnswer } from '../core/review-verdict.js';
import type { AgentSpec, RunManifest } from '../core/types.js';
import { CommandFailure, Interrupted, UsageError } from '../errors.js';
import { readUsageIn } from '../io/agent-usage.js';
import { baseMovement, gatherCandidate, unreadableCandidate } from '../io/candidate-changes.js';
import { readChecks, readLogTail } from '../io/checks.js';
import { pathExists, readIfExists } from '../io/files.js';
import { fileAtCommit } from '../io/git.js';
import {
  clearReviewRunning,
  markReviewRunning,
  reviewRecordDir,
  reviewRunning,
  verdictPath,
  writeVerdict,
} from '../io/review-state.js';
import { askReviewer, type Reviewer, resolveReviewer, reviewerInvocation } from '../io/reviewer.js';
import { withInterruptSignal } from '../io/signals.js';
import { requireManifest } from '../io/state.js';
import { which } from '../io/which.js';
import type { Reporter } from '../output/reporter.js';
import { printVerdict } from '../output/review-text.js';
import { openContext } from './context.js';

export interface ReviewArgs {
  task: string;
  /** The reviewing agents; empty: one chosen (see defaultReviewer). */
  agents: string[];
  criteria?: string;
  /** Characters the prompt may take. */
  budget?: number;
  /** Seconds each reviewer may take per attempt. */
  timeout?: number;
  /** Print the reviewers' command lines and the blind prompt; run nothing, store nothing. */
  dryRun?: boolean;
}

export interface ReviewIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}

/** Linux refuses a single argument over 128 KiB: an agent that takes its prompt as one gets less. */
const ARGUMENT_BUDGET = 100_000;
/** Linux's MAX_ARG_STRLEN is 128 KiB; room is left for the flag the prompt is attached to. */
const ARGUMENT_BYTES = 126 * 1024;
const DEFAULT_TIMEOUT_SECONDS = 900;
/** Lines of each check's log the reviewers see. */
const LOG_TAIL_LINES = 40;
/** The guidelines files agents read, in the order they are shown. */
const GUIDELINES_FILES = ['AGENTS.md', 'CLAUDE.md'];
/** The agents tried, in order, when no --agent is given. */
const REVIEWER_PREFERENCE = ['claude', 'codex', 'gemini', 'opencode', 'copilot'];

/**
 * `git parallel review <task> [--agent NAME]… [--criteria TEXT]`: fresh agents, in their one-shot
 * modes, judge the candidates blind (shuffled letters, no names), each answering in a JSON schema; the
 * answers are checked (a malformed one is asked again once, with the error), combined by a Borda count,
 * un-blinded and stored as the run's verdict, which `compare` shows.
 */
export async function review(args: ReviewArgs, io: ReviewIo): Promise<void> {
  assertTaskName(args.task);
  const criteria = args.criteria?.trim() === '' ? null : (args.criteria ?? null);
  if (args.criteria !== undefined && criteria === null)
    throw new UsageError('--criteria needs a text, such as --criteria "prefer small changes"');
  const budget = args.budget ?? DEFAULT_REVIEW_BUDGET;
  if (!Number.isInteger(budget) || budget < 10_000)
    throw new UsageError(`--budget must be a whole number of characters, at least 10000; got ${args.budget}`);
  const timeoutSeconds = args.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds))
    throw new UsageError(`--timeout must be a number of seconds above 0, got ${args.timeout}`);
  const repeated = args.agents.find((agent, i) => args.agents.indexOf(agent) !== i);
  if (repeated) throw new UsageError(`--agent ${repeated} is named twice; name each reviewer once`);

  const context = await openContext(io.cwd, io.env, (line) => io.reporter.warn(line));
  const { manifest, dir } = await requireManifest(context.repo.commonDir, args.task);
  if (manifest.candidates.length === 0)
    throw new UsageError(`the run ${args.task} has no candidates to review`);
  const reviewers =
    args.agents.length > 0
      ? await Promise.all(args.agents.map((a) => resolveReviewer(a, context.agents, io.cwd, io.env)))
      : [await defaultReviewer(manifest, context.agents, io)];
  const running = await reviewRunning(dir);
  if (running) {
    throw new UsageError(
      `a review of ${args.task} is already running (pid ${running.pid}, since ${running.startedAt}); wait for it`,
    );
  }

  const letters = assignLetters(
    manifest.candidates.map((c) => c.n),
    () => randomInt(2 ** 32) / 2 ** 32,
  );
  const material = await gatherMaterial(manifest, dir);
  const byNumber = new Map(material.map((m) => [m.gathered.candidate.n, m]));
  const scrub = scrubberFor(manifest.candidates);
  const blind: BlindCandidate[] = [...letters].map(([letter, n]) => {
    const { gathered, check } = byNumber.get(n)!;
    const totals = totalsOf(gathered.files);
    return {
      letter,
      patch: scrub(gathered.patch),
      files: totals.files,
      added: totals.added,
      deleted: totals.deleted,
      check: check && { ...check, logTail: scrub(check.logTail) },
      notes: [
        ...(gathered.tree === null ? ['its work could not be read; it has no change to show'] : []),
        ...(gathered.agentRunning ? ['its agent was still running: this is its work so far'] : []),
      ].map(scrub),
    };
  });
  const schema = answerSchema([...letters.keys()]);
  const argumentOnly = reviewers.some((r) => r.spec.oneShot!.prompt !== 'stdin');
  const input = {
    task: (await readTask(manifest)) ?? '(the run has no prompt: judge the changes on their own merits)',
    criteria,
    guidelines: await readGuidelines(manifest),
    candidates: blind,
    schema,
    budget: argumentOnly ? Math.min(budget, ARGUMENT_BUDGET) : budget,
  };
  let prompt = renderReviewPrompt(input);
  // The budget counts characters, the kernel's argument limit bytes: text beyond ASCII takes more of them.
  for (let tries = 0; argumentOnly && Buffer.byteLength(prompt.text) > ARGUMENT_BYTES && tries < 5; tries++) {
    input.budget = Math.floor(((input.budget * ARGUMENT_BYTES) / Buffer.byteLength(prompt.text)) * 0.95);
    prompt = renderReviewPrompt(input);
  }

  if (args.dryRun) {
    // What each reviewer would be run with and the blind prompt it would read; nothing runs, nothing is kept.
    const invocations = reviewers.map((r) => {
      const { argv, stdin } = reviewerInvocation(r, '<prompt>');
      return { agent: r.agent, argv, promptOn: stdin ? 'stdin' : 'argument' };
    });
    io.reporter.document({
      dryRun: true,
      reviewers: invocations,
      prompt: prompt.text,
      unseen: prompt.unseen,
    });
    if (!io.reporter.json) {
      for (const i of invocations)
        io.reporter.info(`Would ask ${i.agent}: ${describeCommand(i.argv)} (prompt on ${i.promptOn})`);
      io.reporter.print(prompt.text);
    }
    return;
  }
  const record = reviewRecordDir(dir);
  await mkdir(record, { recursive: true, mode: 0o700 });
  await writeFile(path.join(record, 'prompt.md'), prompt.text, { mode: 0o600 });
  io.reporter.info(
    `Reviewing ${manifest.candidates.length} candidates of ${args.task} blind with ${reviewers.map((r) => r.agent).join(', ')}…`,
  );
  await markReviewRunning(dir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    agents: reviewers.map((r) => r.agent),
  });
  let outcomes: ReviewOutcome[];
  try {
    outcomes = await withInterruptSignal(async (signal, received) => {
      const settled = await Promise.all(
        reviewers.map((reviewer) =>
          reviewOnce(reviewer, prompt.text, [...letters.keys()], {
            env: reviewerEnv(io.env),
            timeoutMs: timeoutSeconds * 1000,
            signal,
            record,
          }).catch((error: unknown): ReviewOutcome => {
            const interruptedBy = received();
            if (interruptedBy) throw new Interrupted(interruptedBy);
            if (error instanceof CommandFailure) return { reviewer, failure: error.message };
            throw error;
          }),
        ),
      );
      const interruptedBy = received();
      if (interruptedBy) throw new Interrupted(interruptedBy);
      return settled;
    });
  } finally {
    await clearReviewRunning(dir);
  }

  // One reviewer failing fails the review: a verdict of fewer reviewers than were asked for is not the
  // one asked for, so nothing is stored (the good answers stay in the record folder).
  const failures = outcomes.filter((o): o is Failed => 'failure' in o);
  if (failures.length > 0) {
    throw new CommandFailure(
      `${failures.map((f) => f.failure).join('; ')}; no verdict was stored (the answers are in ${record})`,
    );
  }
  const verdict = combineVerdicts({
    task: manifest.task,
    criteria,
    reviewedAt: new Date().toISOString(),
    reviewers: (outcomes as Answered[]).map((o) => ({
      ...unblindAnswer(o.reviewer.agent, o.answer, letters, o.attempts),
      cost: o.cost,
    })),
    unseen: prompt.unseen,
    letters,
    trees: new Map(material.map((m) => [m.gathered.candidate.n, m.gathered.tree])),
  });
  // `rm` during the review: storing the verdict would bring a removed run's state folder back.
  if (!(await pathExists(path.join(dir, 'run.json'))))
    throw new CommandFailure(`the run ${args.task} was removed during its review; no verdict was stored`);
  await writeVerdict(dir, verdict);
  io.reporter.document(verdict);
  if (!io.reporter.json) printVerdict(verdict, manifest, io.reporter);
  io.reporter.info(`Stored in ${verdictPath(dir)}; git parallel compare ${args.task} shows it.`);
}

type Answered = {
  reviewer: Reviewer;
  answer: ReviewAnswer;
  attempts: number;
  cost: { tokens: TokenUsage | null; wallSeconds: number };
};
type Failed = { reviewer: Reviewer; failure: string };
type ReviewOutcome = Answered | Failed;

/**
 * Asks one reviewer; an answer that is not a valid verdict is asked for once more, with the error, in a
 * fresh process again. Each raw answer is kept in the review record.
 */
async function reviewOnce(
  reviewer: Reviewer,
  prompt: string,
  letters: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number; signal: AbortSignal; record: string },
): Promise<ReviewOutcome> {
  let asked = prompt;
  let error = '';
  const started = Date.now();
  let tokens: TokenUsage | null = null;
  for (let attempt = 1; attempt <= 2; attempt++) {
    // A scratch folder of its own, outside the repository: nothing in it to change, nothing shared.
    const scratch = await mkdtemp(path.join(options.env.TMPDIR || tmpdir(), 'git-parallel-review-'));
    let reply: string;
    try {
      reply = await askReviewer(reviewer, asked, { ...options, scratch });
      // The agent files its usage by the folder it ran in (in its own home, not in the scratch folder).
      tokens = addUsage(tokens, await readUsageIn(reviewer.executable, scratch, options.env, started - 1000));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    // The run may have been removed while its reviewer thought: then there is nowhere to keep the answer.
    if (await pathExists(options.record)) {
      await writeFile(path.join(options.record, `${reviewer.agent}-${attempt}.txt`), reply, { mode: 0o600 });
    }
    const checked = checkAnswer(reply, letters);
    if (checked.ok) {
      const cost = { tokens, wallSeconds: Math.round((Date.now() - started) / 1000) };
      return { reviewer, answer: checked.answer, attempts: attempt, cost };
    }
    error = checked.error;
    asked = `${prompt}\n## Your previous answer was not valid\n\n${error}\n\nAnswer again: only the JSON object, following the schema above.\n`;
  }
  return { reviewer, failure: `${reviewer.agent}'s answer was not a valid verdict, twice (${error})` };
}

/** The caller's environment, without the GIT_PARALLEL_* facts of a candidate it may have been run from. */
function reviewerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('GIT_PARALLEL_')));
}

interface Material {
  gathered: Gathered;
  check: { command: string; outcome: string; current: boolean; logTail: string } | null;
}

/** Every candidate's whole change, read as compare reads it, and its recorded check result. */
async function gatherMaterial(manifest: RunManifest, dir: string): Promise<Material[]> {
  const moved = await baseMovement(manifest);
  const baseNow = moved ? moved.commit : manifest.base.commit;
  const recorded = await readChecks(dir);
  return Promise.all(
    manifest.candidates.map(async (candidate) => {
      const gathered = await gatherCandidate(manifest, dir, candidate, baseNow).catch((error) =>
        unreadableCandidate(candidate, error),
      );
      const result = recorded?.results[String(candidate.n)];
      if (!result) return { gathered, check: null };
      const log = (await readLogTail(result.logFile)) ?? '';
      return {
        gathered,
        check: {
          command: result.command,
          outcome: describeCheck(result).replace(/^pass/, 'passed').replace(/^FAIL/, 'failed'),
          current:
            gathered.tree !== null && isCurrentCheck(result, result.command, gathered.tree, gathered.ignored),
          logTail: lastLines(log, LOG_TAIL_LINES),
        },
      };
    }),
  );
}

/** The run's prompt, byte for byte as the candidates got it; null for a run without one. */
async function readTask(manifest: RunManifest): Promise<string | null> {
  return manifest.promptFile === null ? null : readIfExists(manifest.promptFile);
}

/** AGENTS.md and CLAUDE.md as the base commit has them: the candidates' own edits to them are in their diffs. */
async function readGuidelines(manifest: RunManifest): Promise<{ file: string; text: string } | null> {
  const found: { file: string; text: string }[] = [];
  for (const file of GUIDELINES_FILES) {
    const text = await fileAtCommit(manifest.repo.root, manifest.base.commit, file);
    if (text !== null && text.trim() !== '') found.push({ file, text });
  }
  if (found.length === 0) return null;
  if (found.length === 1) return found[0]!;
  return {
    file: found.map((f) => f.file).join(', '),
    text: found.map((f) => `# ${f.file}\n\n${f.text.trimEnd()}`).join('\n\n'),
  };
}

/**
 * The reviewer when none is named: the first installed agent with a one-shot mode that wrote none of
 * the candidates (a judge of another kind than the writers), else the first installed one at all.
 */
async function defaultReviewer(
  manifest: RunManifest,
  agents: Readonly<Record<string, AgentSpec>>,
  io: ReviewIo,
): Promise<Reviewer> {
  const writers = new Set(manifest.candidates.map((c) => c.agent));
  const names = [
    ...REVIEWER_PREFERENCE,
    ...Object.keys(agents).filter((a) => !REVIEWER_PREFERENCE.includes(a)),
  ].filter((a) => agents[a]?.oneShot);
  const installed: string[] = [];
  for (const name of names) {
    if (await which(agents[name]!.command, io.cwd, io.env)) installed.push(name);
  }
  const choice = installed.find((a) => !writers.has(a)) ?? installed[0];
  if (!choice) {
    throw new UsageError(
      `no agent that can review is installed (${names.join(', ')}); install one or name yours with --agent`,
    );
  }
  if (writers.has(choice))
    io.reporter.warn(`reviewing with ${choice}, which also wrote candidates; --agent names another`);
  return resolveReviewer(choice, agents, io.cwd, io.env);
}
