import { rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CreateRunArgs } from '../core/run-options.js';
import { planRun, type RunPlan } from '../core/run-plan.js';
import { Interrupted, UsageError } from '../errors.js';
import { callerVariables } from '../io/caller-env.js';
import { writeFileAtomic } from '../io/files.js';
import type { MuxDriver } from '../io/mux.js';
import { shieldedFromTerminalSignals, withInterruptSignal } from '../io/signals.js';
import { promptPath, readManifest, stateRoot, withStateLock, writeManifest } from '../io/state.js';
import { createWorktrees } from '../io/worktrees.js';
import type { Reporter } from '../output/reporter.js';
import { describeBase, reportCreatedRun, reportRunPlan } from '../output/run-text.js';
import { removeRunResources } from './apply-removal.js';
import { preparePaneScripts } from './pane-plan.js';
import { prepareCandidates, type SetupFailure } from './prepare-candidates.js';
import { freeSlots, gatherRunFacts } from './run-facts.js';

export type { CreateRunArgs } from '../core/run-options.js';

export interface CreateRunIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  stdin: NodeJS.ReadableStream;
  isTerminal: boolean;
}

/**
 * `git parallel <task>`: gather the facts, plan the run whole (core/run-plan.ts), then either print the plan
 * (--dry-run) or carry it out: reserve the run, create the worktrees, prepare them, start the session, and
 * record it; a failure half way rolls back what was created.
 */
export async function createRun(args: CreateRunArgs, io: CreateRunIo): Promise<void> {
  const { reporter, env } = io;
  const { facts, context, driver } = await gatherRunFacts(args, {
    ...io,
    warn: (line) => reporter.warn(line),
  });
  const preview = planRun(facts);
  // Checked before anything is created, so a bad layout template fails early.
  if (preview.session) await driver.validateLayout(preview.session);
  if (args.dryRun) {
    reportRunPlan(preview, reporter);
    return;
  }
  for (const line of preview.warnings) reporter.warn(line);

  await withInterruptSignal(async (signal, received) => {
    const { commonDir } = context.repo;
    const dir = facts.stateDir;
    // Reserve the run under the lock: the manifest (phase "creating") claims the task name and the slots,
    // so a concurrent run of the same task fails and concurrent runs of other tasks get other ports.
    const plan = await withStateLock(commonDir, async () => {
      if ((await readManifest(commonDir, args.task)) !== null) {
        throw new UsageError(`a run named ${args.task} already exists; see git parallel status ${args.task}`);
      }
      // Planned again with the slots free now: another run may have taken some since the preview.
      const slots = await freeSlots(
        context,
        facts.drafts.map((d) => d.name),
      );
      const planned = planRun({ ...facts, slots, now: new Date() });
      planned.manifest.creator = { pid: process.pid, host: hostname() };
      // Written aside, then renamed into place: a process killed here leaves no run folder without its
      // run.json (which every command would call damaged), only a hidden folder nothing reads.
      const staging = path.join(stateRoot(commonDir), `.reserving-${process.pid}-${args.task}`);
      if (planned.prompt !== null) await writeFileAtomic(promptPath(staging), planned.prompt);
      await writeManifest(staging, planned.manifest);
      await rename(staging, dir);
      return planned;
    });
    const manifest = plan.manifest;

    let setupFailures: SetupFailure[] = [];
    try {
      const count = manifest.candidates.length;
      reporter.info(`Creating ${count} worktree${count === 1 ? '' : 's'} from ${describeBase(manifest)}…`);
      await createWorktrees(manifest, signal, {
        checkedOut: (c) => reporter.info(`  ${c.name}  ${c.worktree}`),
      });
      if (signal.aborted) throw signal.reason;
      // Issue 5: files, dependencies, databases, hooks and setup, for every candidate before its agent starts.
      const strictSetup = Boolean(args.strictSetup);
      setupFailures = (
        await prepareCandidates(manifest, dir, plan.preparation, { env, reporter, signal, strictSetup })
      ).failures;
      if (signal.aborted) throw signal.reason;
      // Issue 18: the panes' scripts, written now, so that the panes start without a Node launcher.
      if (plan.session !== null) await preparePaneScripts(dir, manifest, callerVariables(env));
      await startSession(plan, driver);
      if (signal.aborted) throw signal.reason;
      manifest.phase = 'ready';
      delete manifest.creator;
      await writeManifest(dir, manifest);
    } catch (error) {
      // A Ctrl-C reaches git too: git's exit can be seen before git-parallel's own signal is, so a failure
      // gets a moment for that signal to arrive (a failed creation is slower by 100 ms, no more).
      const signalName = received() ?? (await sleep(100).then(received));
      reporter.info(
        signalName
          ? `Interrupted (${signalName}); removing what was created…`
          : 'Creation failed; removing what was created…',
      );
      // Issue 10 F6: a second Ctrl-C reaches the terminal's whole process group; the rollback's own git and
      // tmux children run in groups of their own, so it cannot cut them off half way.
      const leftovers = await shieldedFromTerminalSignals(() =>
        removeRunResources(manifest, dir, driver, { keepBranches: false, env }),
      );
      const remains =
        leftovers.length > 0
          ? `could not remove everything (${leftovers.join('; ')}); git parallel rm ${args.task} --force finishes the job`
          : null;
      // A child that the same Ctrl-C or SIGTERM ended (a tmux client exits 1 on it) can report its failure
      // before our own handler has seen the signal: ask again now, after the rollback.
      const interruptedBy = received() ?? signalName;
      if (interruptedBy) throw new Interrupted(interruptedBy, remains);
      if (remains) reporter.warn(remains);
      throw error;
    }
    const attach = manifest.mux.session ? driver.attachCommand(manifest.mux.session, manifest.task) : [];
    const hint = manifest.mux.session
      ? await driver.attachHint?.(manifest.mux.session, manifest.task)
      : undefined;
    reportCreatedRun(manifest, { attach, hint: hint || null, setupFailures }, reporter);
    // The run is made: a failure to attach is reported, never turned into a failed run.
    if (args.attach && io.isTerminal && manifest.mux.session !== null)
      await driver
        .attach(manifest.mux.session, manifest.task)
        .catch((error: Error) => reporter.warn(error.message));
  });
}

/**
 * The plan's session, with the panes as they are now: preparation gave candidates their own variables
 * (a database URL), which the pane scripts written just before hold (and the launcher reads from
 * run.json), so the panes themselves are as planned.
 */
async function startSession(plan: RunPlan, driver: MuxDriver): Promise<void> {
  if (plan.session === null) return;
  if (plan.manifest.mux.tab) await driver.openTab!(plan.session);
  else await driver.createSession(plan.session);
}
