import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildManifest, draftCandidates, type RunRequest } from '../core/plan.js';
import { planPreparation } from '../core/preparation-plan.js';
import { sessionRequest } from '../core/session-request.js';
import { type SynthesisSource, synthesisPrompt } from '../core/synthesis-prompt.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { candidateTree } from '../io/candidate-changes.js';
import { driverFor } from '../io/drivers.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import { branchExists, deleteBranches, removeWorktree } from '../io/git.js';
import { launcherPrefix } from '../io/launcher-path.js';
import { withInterruptSignal } from '../io/signals.js';
import { diffPatch } from '../io/snapshot.js';
import { requireManifest, withStateLock, writeManifest } from '../io/state.js';
import { readStoredReview } from '../io/stored-review.js';
import { trustOptions } from '../io/trust.js';
import { which } from '../io/which.js';
import { createWorktrees } from '../io/worktrees.js';
import type { Reporter } from '../output/reporter.js';
import { printablePreparation } from '../output/run-text.js';
import { openContext } from './context.js';
import { gatherPreparationFacts } from './preparation-facts.js';
import { prepareCandidates } from './prepare-candidates.js';
import { freeSlots } from './run-facts.js';

export interface SynthesizeArgs {
  task: string;
  /** The candidates to combine; undefined: every candidate of the run. */
  from?: number[];
  /** The agent of the new candidate; undefined: the agent of the first candidate combined. */
  agent?: string;
  trust?: boolean;
  dryRun: boolean;
}

/**
 * Issue 16: `git parallel synthesize <task> [--from 2,3] [--agent NAME]` adds candidate N+1 to a run: its
 * own worktree and branch from the run's base, its ports, its preparation, and a pane in the run's
 * session, like the others. Its prompt is the task, and for each chosen candidate the review's strengths,
 * defects and risks (when `git parallel review` stored a verdict) and its whole change against the base.
 *
 * Defaults, written down: `--from` is every candidate of the run (the review's strengths and defects tell
 * the agent what to keep from each; a user who trusts the ranking narrows it with --from); `--agent` is
 * the agent of the first chosen candidate, started with the same flags as that candidate (its --yolo,
 * its --model), so a synthesis behaves like the run's own agents.
 */
export async function synthesize(
  args: SynthesizeArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const { reporter, env } = io;
  const context = await openContext(io.cwd, env, (line) => reporter.warn(line));
  const { repo, agents } = context;
  const config = context.loaded.config;
  const { manifest, dir } = await requireManifest(repo.commonDir, args.task);
  if (manifest.phase !== 'ready') {
    throw new UsageError(
      `the run ${args.task} is still being created; wait for it, or see git parallel status`,
    );
  }
  const known = manifest.candidates.map((c) => c.n);
  const from = args.from ?? known;
  const unknown = from.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `the run ${args.task} has no candidate ${unknown.join(', ')} (it has ${known.join(', ')}); choose with --from`,
    );
  }
  const chosen = from.map((n) => manifest.candidates.find((c) => c.n === n)!);
  const agent = args.agent ?? chosen[0]!.agent;
  if (!agents[agent]) {
    const names = Object.keys(agents).sort().join(', ');
    throw new UsageError(`unknown agent ${JSON.stringify(agent)}; known agents: ${names}`);
  }
  const executable = await which(agents[agent]!.command, repo.mainRoot, env);
  if (!executable) {
    throw new UsageError(
      `the agent ${agent} needs ${JSON.stringify(agents[agent]!.command)}, which is not on PATH; install it or see git parallel doctor`,
    );
  }

  const n = Math.max(...known) + 1;
  const request: RunRequest = {
    task: manifest.task,
    lineup: `${agent}:${n}`,
    defaultAgent: agent,
    worktreeDir: config.worktreeDir,
    branch: config.branch,
    ports: config.ports,
    yolo: config.yolo,
    model: config.model,
  };
  const draft = draftCandidates(request, repo, agents)[n - 1]!;
  if (await branchExists(repo.mainRoot, draft.branch)) {
    throw new UsageError(
      `the branch ${draft.branch} already exists; delete or rename it, then synthesize again`,
    );
  }
  if (await pathExists(draft.worktree)) {
    throw new UsageError(`the folder ${draft.worktree} already exists; move it away, then synthesize again`);
  }
  const driver = await driverFor(manifest.mux.kind, env, repo.mainRoot);
  const session = manifest.mux.session;
  const sessionAlive = session !== null && (await driver.sessionExists(session));

  const review = await readStoredReview(dir);
  const sources: SynthesisSource[] = await Promise.all(
    chosen.map(async (c) => {
      const tree = await candidateTree(manifest, c);
      return {
        n: c.n,
        agent: c.agent,
        patch: tree ? await diffPatch(manifest.repo.root, manifest.base.commit, tree) : '',
      };
    }),
  );
  const runPrompt = manifest.promptFile
    ? await readFile(manifest.promptFile, 'utf8').catch(() => null)
    : null;
  const prompt = synthesisPrompt({ task: manifest.task, prompt: runPrompt, sources, review });
  const promptFile = path.join(dir, `prompt-${n}.md`);

  // The same preparation as the run's own candidates get, planned the same way (core/preparation-plan.ts).
  const preparationFacts = await gatherPreparationFacts(context, {
    base: manifest.base.commit,
    lineupAgents: [agent],
    worktrees: [draft.worktree, ...manifest.candidates.map((c) => c.worktree)],
    trust: trustOptions(args.trust, env, null),
    dryRun: args.dryRun,
    env,
  });
  const preparation = planPreparation(preparationFacts, {
    task: manifest.task,
    repository: repo.mainRoot,
    ns: [n],
  });
  for (const line of preparation.warnings) reporter.warn(line);

  const planCandidate = async (): Promise<Candidate> => {
    const slots = await freeSlots(context, [draft.name]);
    const built = buildManifest({
      request,
      repo,
      base: manifest.base,
      drafts: [draft],
      slots,
      agents,
      executables: { [agent]: executable },
      promptFile,
      mux: manifest.mux,
      now: new Date(),
    }).candidates[0]!;
    // Started the way the run started this agent (its --yolo and --model), when the run has one.
    const sibling = manifest.candidates.find((c) => c.agent === agent);
    const command = sibling ? [executable, ...sibling.command.slice(1)] : built.command;
    return { ...built, command, promptFile, synthesisOf: from };
  };

  if (args.dryRun) {
    const candidate = await planCandidate();
    reporter.document({
      dryRun: true,
      candidate,
      from,
      withReview: review !== null,
      prompt,
      preparation: printablePreparation(preparation.plan),
    });
    if (reporter.json) return;
    reporter.print(
      `Would add ${candidate.name} to ${manifest.task} (${agent}, combining ${from.join(', ')}):`,
    );
    reporter.print(`  branch ${candidate.branch}  ${candidate.worktree}`);
    reporter.print(
      `  its prompt: ${prompt.length} characters${review ? ', with the review' : ', no review stored'}`,
    );
    return;
  }

  await withInterruptSignal(async (signal) => {
    // Under the lock: the slot is chosen against every live run, and the run gains its candidate at once.
    const { updated, candidate } = await withStateLock(repo.commonDir, async () => {
      const current = await requireManifest(repo.commonDir, args.task);
      if (current.manifest.candidates.some((c) => c.n === n)) {
        throw new UsageError(`candidate ${n} of ${args.task} appeared meanwhile; synthesize again`);
      }
      const candidate = await planCandidate();
      await writeFileAtomic(promptFile, prompt);
      const updated: RunManifest = {
        ...current.manifest,
        candidates: [...current.manifest.candidates, candidate],
      };
      await writeManifest(dir, updated);
      return { updated, candidate };
    });
    // Only what this command made is removed on failure: a branch someone else made meanwhile is not.
    let registered = false;
    // Why the agent's pane could not be opened (null: it was, or there is no session to open it in).
    let notOpened: string | null = null;
    let opened = false;
    try {
      reporter.info(
        `Creating ${candidate.name} from ${manifest.base.ref ?? manifest.base.commit.slice(0, 10)}…`,
      );
      // Registered under the lock and checked out as a run's own candidates are (io/worktrees.ts).
      await createWorktrees({ ...updated, candidates: [candidate] }, signal, {
        registered: () => {
          registered = true;
        },
      });
      if (signal.aborted) throw signal.reason;
      await prepareCandidates(updated, dir, preparation.plan, {
        env,
        reporter,
        signal,
        strictSetup: false,
        only: [n],
      });
      if (signal.aborted) throw signal.reason;
      if (sessionAlive && driver.addPane) {
        const sessionPanes = sessionRequest(updated, dir, launcherPrefix());
        notOpened = await driver.addPane(sessionPanes, sessionPanes.panes.at(-1)!);
        opened = notOpened === null;
      }
    } catch (error) {
      reporter.info(`Adding ${candidate.name} failed; removing it again…`);
      await withStateLock(repo.commonDir, async () => {
        if (registered) {
          // Nothing of a user's is in it yet: it was checked out from the base a moment ago.
          await removeWorktree(repo.mainRoot, candidate.worktree).catch(() => {});
          await deleteBranches(repo.mainRoot, [candidate.branch]).catch(() => {});
        }
        await rm(promptFile, { force: true });
        const current = await requireManifest(repo.commonDir, args.task);
        await writeManifest(dir, {
          ...current.manifest,
          candidates: current.manifest.candidates.filter((c) => c.n !== n),
        });
      });
      throw error;
    }

    const started = opened;
    reporter.document({ candidate, from, withReview: review !== null, promptFile, started });
    if (reporter.json) return;
    reporter.info(
      `Added ${candidate.name} (${agent}), combining ${from.map((m) => `${manifest.task}-${m}`).join(', ')}${review ? ' with the stored review' : '; no review is stored, so its prompt holds the diffs alone'}.`,
    );
    if (started) reporter.info(`Its agent started in a new pane of ${session}.`);
    else if (session !== null && !sessionAlive)
      reporter.print(
        `The session ${session} is gone; git parallel attach ${manifest.task} recreates it with every pane.`,
      );
    else if (notOpened !== null)
      reporter.print(
        `${notOpened}: attach with git parallel attach ${manifest.task} and run git parallel launch ${manifest.task} ${n} in a pane of it`,
      );
    else reporter.print(`Start its agent in a terminal: git parallel launch ${manifest.task} ${n}`);
  });
}
