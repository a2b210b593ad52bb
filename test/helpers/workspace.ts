import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo, type TestRepo } from './repo.js';
import { makeStandIn, type StandIn } from './stand-in-agent.js';
import { type PrivateTmux, privateTmux } from './tmux.js';

/** What most integration tests start from: a repository, a private tmux server and a stand-in agent. */
export interface Workspace {
  repo: TestRepo;
  tmux: PrivateTmux;
  agent: StandIn;
}

/**
 * A throwaway repository whose committed `.git-parallelrc.json` makes the recording stand-in the default
 * agent (`standin`), plus `config`; and a private tmux server. End it with closeWorkspace.
 */
export function standInWorkspace(
  options: {
    /** More settings; a function gets the stand-in, to define agents with `agent.defineWith(…)`. */
    config?: Record<string, unknown> | ((agent: StandIn) => Record<string, unknown>);
    agentEnv?: Record<string, string>;
  } = {},
): Workspace {
  const repo = makeRepo('app');
  const tmux = privateTmux();
  const agent = makeStandIn(repo.parent, options.agentEnv);
  const config = typeof options.config === 'function' ? options.config(agent) : (options.config ?? {});
  const agents = { standin: agent.definition, ...(config.agents as object | undefined) };
  writeFileSync(
    path.join(repo.root, '.git-parallelrc.json'),
    JSON.stringify({ agent: 'standin', ...config, agents }),
  );
  repo.commit('config');
  return { repo, tmux, agent };
}

export function closeWorkspace(workspace: Pick<Workspace, 'repo' | 'tmux'>): void {
  workspace.tmux.kill();
  workspace.repo.cleanup();
}
