import { readFile } from 'node:fs/promises';
import { draftCandidates, type RunRequest, sessionName } from '../core/plan.js';
import { assignSlots } from '../core/port-slots.js';
import type { CreateRunArgs } from '../core/run-options.js';
import { assertRunPossible, type RunFacts } from '../core/run-plan.js';
import { UsageError } from '../errors.js';
import { chooseMux, driverFor } from '../io/drivers.js';
import { pathExists } from '../io/files.js';
import { branchExists, currentBranch, localBranches, resolveCommit } from '../io/git.js';
import { launcherPrefix } from '../io/launcher-path.js';
import type { MuxDriver } from '../io/mux.js';
import { portsFree } from '../io/ports.js';
import { sandboxProblem } from '../io/sandbox.js';
import { listManifests, promptPath, readManifest, runDir } from '../io/state.js';
import { trustOptions } from '../io/trust.js';
import { which } from '../io/which.js';
import { type Context, openContext } from './context.js';
import { readIssueSpec } from './issue-spec.js';
import { gatherPreparationFacts } from './preparation-facts.js';

export interface RunFactsIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  isTerminal: boolean;
  warn: (line: string) => void;
}

/**
 * Gathers everything `git parallel <task>` is planned from, in one pass, before anything is created: the
 * repository and config, the base, the prompt, the multiplexer and its session, the agents' executables,
 * what is in the way, the port slots and the preparation facts. A run that cannot be made is refused as
 * soon as that is known, before the slower facts and before the user is asked to approve commands.
 */
export async function gatherRunFacts(
  args: CreateRunArgs,
  io: RunFactsIo,
): Promise<{ facts: RunFacts; context: Context; driver: MuxDriver }> {
  const { env } = io;
  const context = await openContext(io.cwd, env, io.warn);
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
  const sandbox = args.sandbox ?? config.sandbox;
  const root = process.getuid?.() === 0;
  const lineupAgents = [...new Set(drafts.map((d) => d.agent))];

  const muxKind = await chooseMux(args.mux, config.mux, env);
  const driver = await driverFor(muxKind, env, io.cwd);
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
  for (const agent of lineupAgents)
    executables[agent] = await which(agents[agent]!.command, repo.mainRoot, env);
  const branches = await localBranches(repo.mainRoot);
  const existingPaths = new Set<string>();
  for (const draft of drafts) if (await pathExists(draft.worktree)) existingPaths.add(draft.worktree);
  const conflicts = {
    existingBranches: new Set(drafts.map((d) => d.branch).filter((b) => branches.has(b))),
    existingPaths,
    executables,
    runExists: (await readManifest(repo.commonDir, args.task)) !== null,
    sessionExists: session !== null && !inTab && (await driver.sessionExists(session)),
    session,
  };
  assertRunPossible({ request, agents, drafts, prompt, sandbox, root, env, conflicts });
  // Issue 17: a sandbox that cannot be made here is refused before anything is created.
  if (sandbox) {
    const problem = await sandboxProblem(env, io.cwd, repo.commonDir);
    if (problem) throw new UsageError(problem);
  }
  // Issue 5: the preparation settings are checked, and the repository config's commands approved,
  // before anything is created. GIT_PARALLEL_TRUST=1 is --trust for scripts and CI jobs.
  const preparation = await gatherPreparationFacts(context, {
    base: base.commit,
    lineupAgents,
    worktrees: drafts.map((d) => d.worktree),
    trust: trustOptions(args.trust, env, io.isTerminal && args.promptFile !== '-' ? io.stdin : null),
    dryRun: args.dryRun,
    env,
  });
  const stateDir = runDir(repo.commonDir, args.task);
  const facts: RunFacts = {
    request,
    repo,
    agents,
    drafts,
    base,
    prompt,
    issue: issue?.record ?? null,
    sandbox,
    root,
    env,
    conflicts,
    slots: await freeSlots(
      context,
      drafts.map((d) => d.name),
    ),
    mux: { kind: muxKind, session, layout: args.layout ?? config.layout, ...(inTab ? { tab: true } : {}) },
    stateDir,
    promptFile: promptPath(stateDir),
    launcher: launcherPrefix(),
    preparation,
    now: new Date(),
  };
  return { facts, context, driver };
}

/**
 * The port slots for these worktree names, past the slots the repository's live runs hold (their ports
 * are recorded and never move) and past ports another process has bound.
 */
export async function freeSlots(context: Context, worktreeNames: string[]): Promise<number[]> {
  const taken = new Set<number>();
  for (const read of await listManifests(context.repo.commonDir)) {
    for (const candidate of read.manifest?.candidates ?? []) taken.add(candidate.slot);
  }
  const config = context.loaded.config;
  return assignSlots({
    repoName: context.repo.name,
    worktreeNames,
    bases: config.ports,
    span: config.portSpan,
    takenSlots: taken,
    portsFree,
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

/** Zellij cannot take every session name (its socket path is limited); the driver fits it. */
function fitSessionName(driver: MuxDriver, name: string): Promise<string> {
  return driver.fitSessionName ? driver.fitSessionName(name) : Promise.resolve(name);
}
