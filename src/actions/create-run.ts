import { readFile, rename } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentStartProblem, paneTitle } from '../core/agent-command.js';
import type { IssueReference } from '../core/github-issue.js';
import {
  assertNoConflicts,
  buildManifest,
  draftCandidates,
  type RunRequest,
  sessionName,
} from '../core/plan.js';
import { assignSlots } from '../core/port-slots.js';
import type { PaneSpec, RunManifest } from '../core/types.js';
import { Interrupted, UsageError } from '../errors.js';
import { chooseMux, driverFor } from '../io/drivers.js';
import { describeCommand } from '../io/exec.js';
import { pathExists, writeFileAtomic } from '../io/files.js';
import {
  branchExists,
  checkoutWorktrees,
  currentBranch,
  localBranches,
  registerWorktree,
  resolveCommit,
} from '../io/git.js';
import { launcherArgv } from '../io/launcher-path.js';
import type { MuxDriver, SessionRequest } from '../io/mux.js';
import { portsFree } from '../io/ports.js';
import { sandboxProblem } from '../io/sandbox.js';
import { shieldedFromTerminalSignals, withInterruptSignal } from '../io/signals.js';
import {
  listManifests,
  promptPath,
  readManifest,
  runDir,
  stateRoot,
  withStateLock,
  writeManifest,
} from '../io/state.js';
import { which } from '../io/which.js';
import { markWorktree } from '../io/worktree-marks.js';
import type { Reporter } from '../output/reporter.js';
import { removeRunResources } from './apply-removal.js';
import { openContext } from './context.js';
import { readIssueSpec } from './issue-spec.js';
import { planPreparation, prepareCandidates, type SetupFailure } from './prepare-candidates.js';

export interface CreateRunArgs {
  task: string;
  agents?: string | number;
  agent?: string;
  prompt?: string;
  promptFile?: string;
  base?: string;
  yolo?: boolean;
  /** Issue 17: every agent starts in a sandbox. */
  sandbox?: boolean;
  model?: string;
  mux?: string;
  layout?: string;
  /** Zellij only: open the run as a new tab of the current session instead of a session of its own. */
  tab?: boolean;
  attach: boolean;
  dryRun: boolean;
  /** Issue 5: a failing setup aborts (and rolls back) the whole run instead of skipping that agent. */
  strictSetup?: boolean;
  /** Issue 5: approve the repository config's commands for this run only. */
  trust?: boolean;
  /** Issue 16: the prompt is this GitHub issue (read with gh), recorded in the run. */
  issue?: IssueReference;
}

export interface CreateRunIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  stdin: NodeJS.ReadableStream;
  isTerminal: boolean;
}

/** `git parallel <task>`: gather facts, plan, create worktrees and the session, record the run. */
export async function createRun(args: CreateRunArgs, io: CreateRunIo): Promise<void> {
  const { reporter, env } = io;
  const context = await openContext(io.cwd, env, (line) => reporter.warn(line));
  const { repo, loaded, agents } = context;
  const config = loaded.config;

  const request: RunRequest = {
    task: args.task,
    lineup: args.agents ?? config.lineup,
    defaultAgent: args.agent ?? config.agent,
    worktreeDir: config.worktreeDir,
    branch: config.branch,
    ports: config.ports,
    yolo: args.yolo ?? config.yolo,
    model: args.model ?? config.model,
  };
  const drafts = draftCandidates(request, repo, agents);

  const base = await resolveBase(repo.cwdRoot, args.base);
  const issue = args.issue ? await readIssueSpec(args, repo.cwdRoot, env) : null;
  const prompt = issue ? issue.prompt : await readPrompt(args, io.stdin);
  if (
    prompt?.includes('\0') &&
    drafts.some((d) => agents[d.agent]!.prompt !== 'stdin' && agents[d.agent]!.prompt !== 'none')
  ) {
    // Arguments are C strings: no program can receive a NUL byte in one, so say so instead of cutting the prompt.
    throw new UsageError(
      'the prompt contains a NUL byte, which no agent can receive as an argument; remove it',
    );
  }
  const sandbox = args.sandbox ?? config.sandbox;
  // Issue 9: what an agent would refuse (claude --yolo as root outside a sandbox, a prompt that names its
  // subcommand).
  for (const agent of new Set(drafts.map((d) => d.agent))) {
    const facts = { prompt, yolo: request.yolo, root: process.getuid?.() === 0, env, sandbox };
    const problem = agentStartProblem(agent, agents[agent]!, facts);
    if (problem) throw new UsageError(problem);
  }
  const muxKind = await chooseMux(args.mux, config.mux, env);
  const driver = await driverFor(muxKind, env, io.cwd);
  const layout = args.layout ?? config.layout;
  if (muxKind !== 'none' && (await driver.version()) === null) {
    throw new UsageError(
      `${muxKind} is not installed; install it, or use --mux none to start the agents yourself`,
    );
  }
  const inTab = Boolean(args.tab);
  if (inTab && (muxKind !== 'zellij' || !driver.inside())) {
    throw new UsageError(
      '--tab opens the run as a tab of the current Zellij session, so it works only inside Zellij',
    );
  }
  // In a tab, the run lives in the user's own session: its name is recorded, and rm never ends it.
  const session =
    muxKind === 'none'
      ? null
      : inTab
        ? (env.ZELLIJ_SESSION_NAME ?? null)
        : await fitSessionName(driver, sessionName(repo.name, args.task));

  const executables: Record<string, string | null> = {};
  for (const agent of new Set(drafts.map((d) => d.agent))) {
    executables[agent] = await which(agents[agent]!.command, repo.mainRoot, env);
  }
  const existingBranches = new Set<string>();
  const existingPaths = new Set<string>();
  const branches = await localBranches(repo.mainRoot);
  for (const draft of drafts) {
    if (branches.has(draft.branch)) existingBranches.add(draft.branch);
    if (await pathExists(draft.worktree)) existingPaths.add(draft.worktree);
  }
  const conflictFacts = {
    existingBranches,
    existingPaths,
    executables,
    runExists: (await readManifest(repo.commonDir, args.task)) !== null,
    sessionExists: session !== null && !inTab && (await driver.sessionExists(session)),
    session,
  };
  assertNoConflicts(args.task, drafts, agents, conflictFacts);
  // Issue 17: a sandbox that cannot be made here is refused before anything is created.
  if (sandbox) {
    const problem = await sandboxProblem(env, io.cwd, repo.commonDir);
    if (problem) throw new UsageError(problem);
  }
  for (const agent of new Set(drafts.map((d) => d.agent))) {
    if (request.model !== null && !agents[agent]!.model)
      reporter.warn(`${agent} has no model flag; --model is not passed to it`);
    if (prompt !== null && agents[agent]!.prompt === 'none')
      reporter.warn(`${agent} takes no prompt; it starts without one`);
  }
  // Issue 5: the preparation settings are checked, and the repository config's commands approved,
  // before anything is created. GIT_PARALLEL_TRUST=1 is --trust for scripts and CI jobs.
  const preparationPlan = await planPreparation(context, {
    base: base.commit,
    lineupAgents: [...new Set(drafts.map((d) => d.agent))],
    trust: {
      env,
      oneOff: Boolean(args.trust) || env.GIT_PARALLEL_TRUST === '1',
      ask: io.isTerminal && args.promptFile !== '-' ? { input: io.stdin, output: process.stderr } : null,
    },
    dryRun: args.dryRun,
    warn: (line) => reporter.warn(line),
  });

  const dir = runDir(repo.commonDir, args.task);
  const plan = async (takenSlots: Set<number>): Promise<RunManifest> => ({
    ...buildManifest({
      request,
      repo,
      base,
      drafts,
      slots: await assignSlots({
        repoName: repo.name,
        worktreeNames: drafts.map((d) => d.name),
        bases: config.ports,
        span: config.portSpan,
        takenSlots,
        portsFree,
      }),
      agents,
      executables,
      promptFile: prompt === null ? null : promptPath(dir),
      mux: { kind: muxKind, session, layout, ...(inTab ? { tab: true } : {}) },
      now: new Date(),
    }),
    ...(sandbox ? { sandbox: true } : {}),
    ...(issue ? { issue: issue.record } : {}),
  });

  // Planned once before anything is created, so a bad layout template or a full port span fails early.
  const preview = await plan(await liveSlots(repo.commonDir));
  if (session !== null) await driver.validateLayout(sessionRequest(preview, dir));
  if (args.dryRun) {
    reportPlan(preview, reporter);
    return;
  }

  await withInterruptSignal(async (signal, received) => {
    // Reserve the run under the lock: the manifest (phase "creating") claims the task name and the slots,
    // so a concurrent run of the same task fails and concurrent runs of other tasks get other ports.
    const manifest = await withStateLock(repo.commonDir, async () => {
      if ((await readManifest(repo.commonDir, args.task)) !== null) {
        throw new UsageError(`a run named ${args.task} already exists; see git parallel status ${args.task}`);
      }
      const planned = await plan(await liveSlots(repo.commonDir));
      planned.creator = { pid: process.pid, host: hostname() };
      // Written aside, then renamed into place: a process killed here leaves no run folder without its
      // run.json (which every command would call damaged), only a hidden folder nothing reads.
      const staging = path.join(stateRoot(repo.commonDir), `.reserving-${process.pid}-${args.task}`);
      if (prompt !== null) await writeFileAtomic(promptPath(staging), prompt);
      await writeManifest(staging, planned);
      await rename(staging, dir);
      return planned;
    });

    let setupFailures: SetupFailure[] = [];
    try {
      const count = manifest.candidates.length;
      reporter.info(`Creating ${count} worktree${count === 1 ? '' : 's'} from ${describeBase(manifest)}…`);
      await createWorktrees(manifest, signal, reporter);
      if (signal.aborted) throw signal.reason;
      // Issue 5: files, dependencies, databases, hooks and setup, for every candidate before its agent starts.
      const strictSetup = Boolean(args.strictSetup);
      setupFailures = (
        await prepareCandidates(manifest, dir, preparationPlan, { env, reporter, signal, strictSetup })
      ).failures;
      if (signal.aborted) throw signal.reason;
      if (session !== null && inTab) await driver.openTab!(sessionRequest(manifest, dir));
      else if (session !== null) await driver.createSession(sessionRequest(manifest, dir));
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
    await report(manifest, driver, reporter, setupFailures);
    // The run is made: a failure to attach is reported, never turned into a failed run.
    if (args.attach && io.isTerminal && session !== null)
      await driver.attach(session, manifest.task).catch((error: Error) => reporter.warn(error.message));
  });
}

async function resolveBase(
  cwd: string,
  baseFlag: string | undefined,
): Promise<{ commit: string; ref: string | null }> {
  if (baseFlag !== undefined) {
    const commit = await resolveCommit(cwd, baseFlag);
    if (!commit) throw new UsageError(`unknown --base ${JSON.stringify(baseFlag)}: no commit has that name`);
    const isBranch = await branchExists(cwd, baseFlag);
    return { commit, ref: isBranch ? baseFlag : null };
  }
  const commit = await resolveCommit(cwd, 'HEAD');
  if (!commit)
    throw new UsageError('the repository has no commits yet; commit something first, then start a run');
  return { commit, ref: await currentBranch(cwd) };
}

async function readPrompt(args: CreateRunArgs, stdin: NodeJS.ReadableStream): Promise<string | null> {
  if (args.prompt !== undefined && args.promptFile !== undefined) {
    throw new UsageError('give the prompt with --prompt or --prompt-file, not both');
  }
  if (args.prompt !== undefined) return args.prompt;
  if (args.promptFile === undefined) return null;
  if (args.promptFile === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(args.promptFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the prompt file ${args.promptFile}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`,
    );
  }
}

/** Slots held by the repository's live runs: their ports are recorded and never move. */
async function liveSlots(commonDir: string): Promise<Set<number>> {
  const slots = new Set<number>();
  for (const read of await listManifests(commonDir)) {
    for (const candidate of read.manifest?.candidates ?? []) slots.add(candidate.slot);
  }
  return slots;
}

/**
 * Creates every candidate's worktree: registered one at a time (see registerWorktree), then checked out a
 * few at a time, since checkouts are mostly file writes and overlap well (on 2 cores, 10 worktrees of vite
 * took 0.87 s two at a time vs 1.53 s one by one).
 *
 * An interrupt stops it between git commands, never inside one: git is not handed the abort signal, so the
 * rollback never starts while a checkout is still writing into the folder it removes (which left a
 * half-written worktree behind a "nothing was left behind"). A Ctrl-C from the terminal reaches git too,
 * which then stops at once and cleans up after itself; a signal to git-parallel alone lets the command in
 * flight finish, well under a second.
 */
async function createWorktrees(
  manifest: RunManifest,
  signal: AbortSignal,
  reporter: Reporter,
): Promise<void> {
  // Under the repository's state lock, so that runs created at the same time do not race either.
  await withStateLock(manifest.repo.commonDir, async () => {
    for (const candidate of manifest.candidates) {
      if (signal.aborted) return;
      await registerWorktree(manifest.repo.root, candidate.worktree, candidate.branch, manifest.base.commit);
      await markWorktree({
        task: manifest.task,
        n: candidate.n,
        branch: candidate.branch,
        worktree: candidate.worktree,
      });
    }
  });
  const cores = availableParallelism();
  const width = Math.min(manifest.candidates.length, Math.max(2, Math.min(4, cores)));
  // The cores are shared out: a lone checkout gets them all, side-by-side checkouts one or two each.
  const workers = Math.max(1, Math.ceil(cores / width));
  const names = new Map(manifest.candidates.map((c) => [c.worktree, c.name]));
  await checkoutWorktrees([...names.keys()], {
    width,
    workers,
    done: (worktree) => reporter.info(`  ${names.get(worktree)}  ${worktree}`),
  });
}

/** What the multiplexer is asked to start for a run: one pane per candidate, each running the launcher. */
export function sessionRequest(
  manifest: RunManifest,
  dir: string,
  launchOptions: string[] = [],
): SessionRequest {
  return {
    session: manifest.mux.session ?? '',
    window: manifest.task,
    layout: manifest.mux.layout,
    panes: panesFor(manifest, dir, launchOptions),
    stateDir: dir,
    ...(manifest.mux.tab ? { tab: true } : {}),
  };
}

/** Zellij cannot take every session name (its socket path is limited); the driver fits it. */
function fitSessionName(driver: MuxDriver, name: string): Promise<string> {
  return driver.fitSessionName ? driver.fitSessionName(name) : Promise.resolve(name);
}

function panesFor(manifest: RunManifest, dir: string, launchOptions: string[]): PaneSpec[] {
  return manifest.candidates.map((candidate) => ({
    title: paneTitle(manifest, candidate),
    cwd: candidate.worktree,
    argv: [...launcherArgv(dir, manifest.task, candidate.n), ...launchOptions],
  }));
}

function describeBase(manifest: RunManifest): string {
  const short = manifest.base.commit.slice(0, 10);
  return manifest.base.ref ? `${manifest.base.ref} (${short})` : short;
}

function reportPlan(manifest: RunManifest, reporter: Reporter): void {
  reporter.document({ dryRun: true, plan: manifest });
  if (reporter.json) return;
  reporter.print(`Would create the run ${manifest.task} from ${describeBase(manifest)}:`);
  for (const c of manifest.candidates) {
    const ports = Object.entries(c.ports)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    reporter.print(`  ${c.name}  branch ${c.branch}  ${c.worktree}  ${c.agent}  ${ports}`);
    reporter.print(`    ${c.command.join(' ')}`);
  }
  reporter.print(
    manifest.mux.session
      ? `in the ${manifest.mux.kind} session ${manifest.mux.session}`
      : 'with no multiplexer',
  );
}

async function report(
  manifest: RunManifest,
  driver: MuxDriver,
  reporter: Reporter,
  setupFailures: SetupFailure[],
): Promise<void> {
  const attach = manifest.mux.session ? driver.attachCommand(manifest.mux.session, manifest.task) : [];
  reporter.document({
    run: manifest,
    attach: attach.length > 0 ? attach : null,
    start: startCommands(manifest),
    setupFailures,
  });
  if (reporter.json) return;
  const started = manifest.candidates.length - setupFailures.length;
  const skipped =
    setupFailures.length > 0
      ? ` (not ${setupFailures.map((f) => f.candidate).join(', ')}: setup failed)`
      : '';
  const agents = `${started} agent${started === 1 ? '' : 's'} for ${manifest.task}${skipped}`;
  // With no multiplexer nothing was started: the worktrees are ready and the user starts each agent.
  if (manifest.mux.kind === 'none') reporter.info(`Prepared ${agents}; none is started (--mux none).`);
  else reporter.info(`Started ${agents}.`);
  if (manifest.mux.kind === 'none') {
    reporter.print('Start each agent in its own terminal:');
    for (const line of startCommands(manifest)) reporter.print(`  ${line}`);
  } else {
    const hint = manifest.mux.session && (await driver.attachHint?.(manifest.mux.session, manifest.task));
    reporter.print(`Attach: ${hint || describeCommand(attach)}`);
  }
}

/** For --mux none: one command per candidate that starts its agent with its environment. */
function startCommands(manifest: RunManifest): string[] {
  return manifest.candidates.map((c) => `git parallel launch ${manifest.task} ${c.n}`);
}
