import path from 'node:path';
import { UsageError } from '../errors.js';
import { agentCommandLine } from './agent-command.js';
import { parseLineup } from './lineup.js';
import { assertTaskName, branchNameProblem, expandPattern } from './names.js';
import { portsForSlot } from './port-slots.js';
import type { AgentSpec, Candidate, MuxKind, RunManifest } from './types.js';
import { MANIFEST_VERSION } from './types.js';

/** What the user asked for, after flags have been merged over config. */
export interface RunRequest {
  task: string;
  lineup: string | number;
  defaultAgent: string;
  worktreeDir: string;
  branch: string;
  ports: Record<string, number>;
  yolo: boolean;
  model: string | null;
}

/** A candidate before the world has been consulted (no slot, no resolved executable yet). */
export interface CandidateDraft {
  n: number;
  agent: string;
  name: string;
  branch: string;
  worktree: string;
}

/**
 * Names every candidate: the pure part of planning a run. Throws a UsageError for a bad task name,
 * line-up, unknown agent, or a pattern that yields an invalid or duplicate branch or folder.
 */
export function draftCandidates(
  request: RunRequest,
  repo: { mainRoot: string; name: string },
  agents: Readonly<Record<string, AgentSpec>>,
): CandidateDraft[] {
  assertTaskName(request.task);
  const lineup = parseLineup(request.lineup, request.defaultAgent);
  const unknown = lineup.find((agent) => !agents[agent]);
  if (unknown) {
    const known = Object.keys(agents).sort().join(', ');
    throw new UsageError(
      `unknown agent ${JSON.stringify(unknown)}; known agents: ${known} (define others under "agents" in config)`,
    );
  }
  const drafts = lineup.map((agent, index) => {
    const values = { repo: repo.name, task: request.task, n: String(index + 1), agent };
    const branch = expandPattern(request.branch, values, 'branch');
    const problem = branchNameProblem(branch);
    if (problem)
      throw new UsageError(
        `the branch name ${JSON.stringify(branch)} ${problem}; check the "branch" setting`,
      );
    const worktree = path.resolve(repo.mainRoot, expandPattern(request.worktreeDir, values, 'worktreeDir'));
    if (/[\n\r]/.test(worktree)) throw new UsageError('worktreeDir must not contain line breaks');
    return { n: index + 1, agent, name: path.basename(worktree), branch, worktree };
  });
  assertDistinct(
    drafts.map((d) => d.branch),
    'branch',
    '{n}',
  );
  assertDistinct(
    drafts.map((d) => d.worktree),
    'worktreeDir',
    '{n}',
  );
  return drafts;
}

function assertDistinct(values: string[], setting: string, hint: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value))
      throw new UsageError(`two candidates would share the ${setting} ${value}; put ${hint} in "${setting}"`);
    seen.add(value);
  }
}

/** What already exists in the world that a run must not overwrite. */
export interface ConflictFacts {
  existingBranches: ReadonlySet<string>;
  existingPaths: ReadonlySet<string>;
  /** Absolute executable per agent name, or null when it is not on PATH. */
  executables: Readonly<Record<string, string | null>>;
  runExists: boolean;
  sessionExists: boolean;
  session: string | null;
}

export function assertNoConflicts(
  task: string,
  drafts: CandidateDraft[],
  agents: Readonly<Record<string, AgentSpec>>,
  facts: ConflictFacts,
): void {
  if (facts.runExists) {
    throw new UsageError(
      `a run named ${task} already exists; see git parallel status ${task}, or git parallel rm ${task}`,
    );
  }
  for (const draft of drafts) {
    if (facts.existingBranches.has(draft.branch)) {
      throw new UsageError(
        `the branch ${draft.branch} already exists; pick another task name or delete the branch`,
      );
    }
    if (facts.existingPaths.has(draft.worktree)) {
      throw new UsageError(
        `the folder ${draft.worktree} already exists; pick another task name or move it away`,
      );
    }
  }
  for (const agent of new Set(drafts.map((d) => d.agent))) {
    if (!facts.executables[agent]) {
      const command = agents[agent]?.command ?? agent;
      throw new UsageError(
        `the agent ${agent} needs ${JSON.stringify(command)}, which is not on PATH; install it or see git parallel doctor`,
      );
    }
  }
  if (facts.sessionExists) {
    throw new UsageError(
      `a multiplexer session named ${facts.session} already exists; attach to it or end it first`,
    );
  }
}

export interface ManifestInput {
  request: RunRequest;
  repo: { mainRoot: string; name: string; commonDir: string };
  base: { commit: string; ref: string | null };
  drafts: CandidateDraft[];
  slots: number[];
  agents: Readonly<Record<string, AgentSpec>>;
  executables: Readonly<Record<string, string | null>>;
  promptFile: string | null;
  mux: { kind: MuxKind; session: string | null; layout: string; tab?: boolean };
  now: Date;
}

/** The manifest of a run that is about to be created (phase `creating`). */
export function buildManifest(input: ManifestInput): RunManifest {
  const candidates: Candidate[] = input.drafts.map((draft, index) => {
    const spec = input.agents[draft.agent]!;
    const slot = input.slots[index]!;
    return {
      ...draft,
      command: agentCommandLine(input.executables[draft.agent]!, spec, input.request),
      prompt: spec.prompt,
      agentEnv: spec.env,
      slot,
      ports: portsForSlot(input.request.ports, slot),
    };
  });
  return {
    version: MANIFEST_VERSION,
    task: input.request.task,
    repo: { root: input.repo.mainRoot, name: input.repo.name, commonDir: input.repo.commonDir },
    base: input.base,
    createdAt: input.now.toISOString(),
    phase: 'creating',
    promptFile: input.promptFile,
    mux: input.mux,
    candidates,
  };
}

/**
 * The session name for a run: repository and task, in the characters tmux and Zellij both keep
 * (tmux turns "." and ":" into "_"; Zellij forbids "/" and wants names short for its socket path).
 */
export function sessionName(repoName: string, task: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${clean(repoName).slice(0, 24)}-${clean(task)}`.slice(0, 64);
}
