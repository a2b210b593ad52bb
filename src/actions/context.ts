import { type LoadedConfig, loadConfig } from '../config/load.js';
import { completeAgentSpec } from '../config/schema.js';
import { AGENT_PRESETS } from '../core/agent-presets.js';
import { parseLineup } from '../core/lineup.js';
import type { AgentSpec } from '../core/types.js';
import { UsageError } from '../errors.js';
import { type RepoFacts, readRepo } from '../io/git.js';

/** What most commands start from: the repository, the merged config and the known agents. */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  repo: RepoFacts;
  loaded: LoadedConfig;
  agents: Record<string, AgentSpec>;
}

export async function openContext(
  cwd: string,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void = () => {},
): Promise<Context> {
  const repo = await readRepo(cwd);
  const loaded = await loadConfig(cwd, repo.cwdRoot, env);
  for (const line of loaded.warnings) warn(line);
  const agents: Record<string, AgentSpec> = { ...AGENT_PRESETS };
  for (const [name, spec] of Object.entries(loaded.config.agents)) agents[name] = completeAgentSpec(spec);
  checkConfiguredAgents(loaded, agents);
  return { cwd, env, repo, loaded, agents };
}

/**
 * `agent` and `lineup` name agents, which only exist once every config file is merged: checked here, and
 * reported with the file and key that set them (the flags' own errors name the flag).
 */
function checkConfiguredAgents(loaded: LoadedConfig, agents: Record<string, AgentSpec>): void {
  const { config, origins } = loaded;
  const known = () => Object.keys(agents).sort().join(', ');
  if (origins.agent && !agents[config.agent]) {
    throw new UsageError(
      `${origins.agent}: "agent": unknown agent ${JSON.stringify(config.agent)}; known agents: ${known()} (define others under "agents")`,
    );
  }
  if (!origins.lineup) return;
  let lineup: string[];
  try {
    lineup = parseLineup(config.lineup, config.agent);
  } catch (error) {
    throw new UsageError(
      `${origins.lineup}: "lineup": ${(error as Error).message.replace(/--agents /g, '')}`,
    );
  }
  const unknown = lineup.find((agent) => !agents[agent]);
  if (unknown) {
    throw new UsageError(
      `${origins.lineup}: "lineup": unknown agent ${JSON.stringify(unknown)}; known agents: ${known()} (define others under "agents")`,
    );
  }
}
