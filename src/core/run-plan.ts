import { UsageError } from '../errors.js';
import { agentStartProblem, withPrompt } from './agent-command.js';
import type { RunIssue } from './github-issue.js';
import {
  assertNoConflicts,
  buildManifest,
  type CandidateDraft,
  type ConflictFacts,
  type RunRequest,
} from './plan.js';
import { type PreparationFacts, type PreparationPlan, planPreparation } from './preparation-plan.js';
import { sessionRequest } from './session-request.js';
import type { AgentSpec, MuxKind, RunManifest, SessionRequest } from './types.js';

/** Everything a run is planned from, gathered before anything is created (actions/run-facts.ts). */
export interface RunFacts {
  request: RunRequest;
  repo: { mainRoot: string; name: string; commonDir: string };
  agents: Readonly<Record<string, AgentSpec>>;
  drafts: CandidateDraft[];
  base: { commit: string; ref: string | null };
  prompt: string | null;
  issue: RunIssue | null;
  sandbox: boolean;
  /** Whether git-parallel runs as root (some agents refuse their skip-permission flag then). */
  root: boolean;
  env: NodeJS.ProcessEnv;
  conflicts: ConflictFacts;
  /** One port slot per candidate, in order (core/port-slots.ts chose them against the live runs). */
  slots: number[];
  mux: { kind: MuxKind; session: string | null; layout: string; tab?: boolean };
  /** The run's state folder and the prompt file in it. */
  stateDir: string;
  promptFile: string;
  /** The pane program up to the run's own words (io/launcher-path.ts). */
  launcher: readonly string[];
  preparation: PreparationFacts;
  now: Date;
}

/** How an agent receives the prompt: in its argv, on its standard input, or not at all. */
export type PromptDelivery = 'argument' | 'stdin' | 'none';

/** A run, decided whole: `--dry-run` prints it, createRun carries it out and records its manifest. */
export interface RunPlan {
  /** What run.json records (phase `creating`): worktrees, branches, slots and ports, agents, the session. */
  manifest: RunManifest;
  prompt: string | null;
  /** Each agent as it starts: its whole command line, the prompt in the agent's own syntax. */
  starts: { n: number; name: string; argv: string[]; prompt: PromptDelivery }[];
  preparation: PreparationPlan;
  /** The multiplexer's panes and layout; null with --mux none. */
  session: SessionRequest | null;
  /** What the user should read before the run starts (a model flag the agent lacks, a file not found…). */
  warnings: string[];
}

/**
 * Refuses a run that cannot be made as asked: something in the way (a branch, a folder, a run, a session),
 * an agent not on PATH, a prompt no agent can take. Checked once the conflicts are known, before anything
 * slower is gathered or the user is asked to approve the repository's commands, and again by planRun.
 */
export function assertRunPossible(
  facts: Pick<
    RunFacts,
    'request' | 'agents' | 'drafts' | 'prompt' | 'sandbox' | 'root' | 'env' | 'conflicts'
  >,
): void {
  const { agents, drafts, prompt, request } = facts;
  const lineupAgents = [...new Set(drafts.map((d) => d.agent))];
  if (
    prompt?.includes('\0') &&
    lineupAgents.some((a) => !['stdin', 'none'].includes(agentPrompt(agents, a)))
  ) {
    // Arguments are C strings: no program can receive a NUL byte in one, so say so instead of cutting the prompt.
    throw new UsageError(
      'the prompt contains a NUL byte, which no agent can receive as an argument; remove it',
    );
  }
  // Issue 9: what an agent would refuse (claude --yolo as root outside a sandbox, a prompt that names its
  // subcommand).
  for (const agent of lineupAgents) {
    const startFacts = {
      prompt,
      yolo: request.yolo,
      root: facts.root,
      env: facts.env,
      sandbox: facts.sandbox,
    };
    const problem = agentStartProblem(agent, agents[agent]!, startFacts);
    if (problem) throw new UsageError(problem);
  }
  assertNoConflicts(request.task, drafts, agents, facts.conflicts);
}

/** Plans a run; throws a UsageError when it cannot be made as asked (something in the way, a bad prompt). */
export function planRun(facts: RunFacts): RunPlan {
  assertRunPossible(facts);
  const { agents, drafts, prompt, request } = facts;
  const lineupAgents = [...new Set(drafts.map((d) => d.agent))];
  const warnings: string[] = [];
  for (const agent of lineupAgents) {
    if (request.model !== null && !agents[agent]!.model)
      warnings.push(`${agent} has no model flag; --model is not passed to it`);
    if (prompt !== null && agents[agent]!.prompt === 'none')
      warnings.push(`${agent} takes no prompt; it starts without one`);
  }
  const manifest: RunManifest = {
    ...buildManifest({
      request,
      repo: facts.repo,
      base: facts.base,
      drafts,
      slots: facts.slots,
      agents,
      executables: facts.conflicts.executables,
      promptFile: prompt === null ? null : facts.promptFile,
      mux: facts.mux,
      now: facts.now,
    }),
    ...(facts.sandbox ? { sandbox: true } : {}),
    ...(facts.issue ? { issue: facts.issue } : {}),
  };
  const preparation = planPreparation(facts.preparation, {
    task: request.task,
    repository: facts.repo.mainRoot,
    ns: manifest.candidates.map((c) => c.n),
  });
  return {
    manifest,
    prompt,
    starts: manifest.candidates.map((c) => ({
      n: c.n,
      name: c.name,
      argv: withPrompt(c.command, c.prompt, prompt),
      prompt: prompt === null || c.prompt === 'none' ? 'none' : c.prompt === 'stdin' ? 'stdin' : 'argument',
    })),
    preparation: preparation.plan,
    session: facts.mux.session === null ? null : sessionRequest(manifest, facts.stateDir, facts.launcher),
    warnings: [...warnings, ...preparation.warnings],
  };
}

function agentPrompt(agents: Readonly<Record<string, AgentSpec>>, agent: string): string {
  const mode = agents[agent]!.prompt;
  return typeof mode === 'string' ? mode : 'flag';
}
