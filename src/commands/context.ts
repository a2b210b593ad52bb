import { type LoadedConfig, loadConfig } from '../config/load.js';
import { completeAgentSpec } from '../config/schema.js';
import { AGENT_PRESETS } from '../core/agent-presets.js';
import type { AgentSpec } from '../core/types.js';
import { type RepoFacts, readRepo } from '../io/git.js';

/** What most commands start from: the repository, the merged config and the known agents. */
export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  repo: RepoFacts;
  loaded: LoadedConfig;
  agents: Record<string, AgentSpec>;
}

export async function openContext(cwd: string, env: NodeJS.ProcessEnv): Promise<Context> {
  const repo = await readRepo(cwd);
  const loaded = await loadConfig(cwd, repo.cwdRoot, env);
  const agents: Record<string, AgentSpec> = { ...AGENT_PRESETS };
  for (const [name, spec] of Object.entries(loaded.config.agents)) agents[name] = completeAgentSpec(spec);
  return { cwd, env, repo, loaded, agents };
}
