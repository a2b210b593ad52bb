import type { AgentSpec, Candidate, PromptMode, RunManifest } from './types.js';

/** The agent's command line without the prompt: executable, fixed args, yolo flags, model flag. */
export function agentCommandLine(
  executable: string,
  spec: AgentSpec,
  options: { yolo: boolean; model: string | null },
): string[] {
  const line = [executable, ...spec.args];
  if (options.yolo) line.push(...spec.yolo);
  if (options.model !== null && spec.model) line.push(spec.model, options.model);
  return line;
}

/** Adds the prompt in the agent's own syntax. `stdin` and `none` leave the argv alone. */
export function withPrompt(commandLine: string[], mode: PromptMode, prompt: string | null): string[] {
  if (prompt === null || mode === 'none' || mode === 'stdin') return commandLine;
  if (mode === 'positional') return [...commandLine, prompt];
  return [...commandLine, mode.flag, prompt];
}

/**
 * The candidate's environment on top of the inherited one: its ports, the GIT_PARALLEL_* facts, the
 * agent definition's own variables (which may not override the candidate's), and the candidate's own
 * variables from preparation (its DATABASE_URL…), which win.
 */
export function candidateEnv(manifest: RunManifest, candidate: Candidate): Record<string, string> {
  const ports = Object.fromEntries(
    Object.entries(candidate.ports).map(([name, port]) => [name, String(port)]),
  );
  return {
    ...candidate.agentEnv,
    ...ports,
    GIT_PARALLEL_TASK: manifest.task,
    GIT_PARALLEL_INDEX: String(candidate.n),
    GIT_PARALLEL_BRANCH: candidate.branch,
    GIT_PARALLEL_WORKTREE: candidate.worktree,
    GIT_PARALLEL_BASE: manifest.base.commit,
    // Issue 5: the candidate's own resources (its database URL), set while preparing it.
    ...candidate.env,
  };
}

/** `<task>-<n> · <agent> · :<PORT>`: the first configured port is the one a person looks for. */
export function paneTitle(manifest: RunManifest, candidate: Candidate): string {
  const firstPort = Object.values(candidate.ports)[0];
  const parts = [`${manifest.task}-${candidate.n}`, candidate.agent];
  if (firstPort !== undefined) parts.push(`:${firstPort}`);
  return parts.join(' · ');
}
