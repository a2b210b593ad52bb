import { AGENT_TRAITS } from './agent-presets.js';
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

/**
 * Adds the prompt in the agent's own syntax, so that it arrives byte for byte whatever it holds or starts
 * with (`--fix …`, `-x`, a line break): a positional prompt goes after `--`, which ends option parsing in
 * every agent's parser (commander, clap, yargs); a long flag takes it as `--flag=value`, which no parser
 * reads as a second option. A short flag (`-i`) has no such form: the value follows it as its own word.
 * `stdin` and `none` leave the argv alone.
 */
export function withPrompt(commandLine: string[], mode: PromptMode, prompt: string | null): string[] {
  if (prompt === null || mode === 'none' || mode === 'stdin') return commandLine;
  if (mode === 'positional') return [...commandLine, '--', prompt];
  if (mode.flag.startsWith('--')) return [...commandLine, `${mode.flag}=${prompt}`];
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

/**
 * Why an agent could not start as asked, in one line that says what to do; null when it can. Pure: the
 * caller passes whether it runs as root and its environment.
 */
export function agentStartProblem(
  agent: string,
  spec: AgentSpec,
  facts: {
    prompt: string | null;
    yolo: boolean;
    root: boolean;
    env: NodeJS.ProcessEnv;
    /** The run starts its agents in a sandbox, where the launcher sets IS_SANDBOX=1 (issue 17). */
    sandbox: boolean;
  },
): string | null {
  const executable = spec.command.split('/').pop() ?? spec.command;
  const traits = AGENT_TRAITS[executable] ?? {};
  if (
    facts.yolo &&
    facts.root &&
    traits.yoloRefusedAsRoot &&
    !facts.sandbox &&
    facts.env.IS_SANDBOX !== '1'
  ) {
    return `${agent} refuses its skip-permission flag (${spec.yolo.join(' ')}) as root: run without --yolo, or with --sandbox`;
  }
  if (facts.prompt !== null && spec.prompt === 'positional' && traits.subcommands?.includes(facts.prompt)) {
    return `${agent} reads the prompt ${JSON.stringify(facts.prompt)} as its subcommand of that name; say more in the prompt`;
  }
  return null;
}
