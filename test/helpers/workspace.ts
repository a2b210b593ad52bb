import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { type CliResult, runCli } from './cli.js';
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

/** A workspace made afresh for each test of the describe it is called in. */
export interface WorkspaceEachTest extends Workspace {
  /** The built CLI in the repository (or `cwd`), pointed at the private tmux server, plus `env`. */
  cli(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
}

/**
 * The describe-level setup most integration files share: standInWorkspace before each test, closed after
 * it. Its parts are read during the test (`workspace.repo.root`); a file's own beforeEach, registered
 * after this call, runs after the workspace is made.
 */
export function standInWorkspaceEach(
  options: Parameters<typeof standInWorkspace>[0] = {},
): WorkspaceEachTest {
  let current: Workspace | null = null;
  beforeEach(() => {
    current = standInWorkspace(options);
  });
  afterEach(() => {
    if (current) closeWorkspace(current);
    current = null;
  });
  const now = (): Workspace => {
    if (!current) throw new Error('the workspace exists only while a test runs');
    return current;
  };
  return {
    get repo() {
      return now().repo;
    },
    get tmux() {
      return now().tmux;
    },
    get agent() {
      return now().agent;
    },
    cli: (args, cliOptions = {}) =>
      runCli(args, {
        cwd: cliOptions.cwd ?? now().repo.root,
        env: { ...now().tmux.env, ...cliOptions.env },
      }),
  };
}

/** A repository whose config nobody approved, seen by a user with a config folder of their own. */
export interface UntrustedRepo {
  readonly repo: TestRepo;
  /** The user's XDG_CONFIG_HOME, where approvals are recorded. */
  readonly userConfig: string;
  /** The built CLI as that user, without the GIT_PARALLEL_TRUST=1 the other tests run with. */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Commits `.git-parallelrc.json`: the shell agent, plus `settings`. */
  repoConfig(settings: Record<string, unknown>): void;
  /** Asserts that no worktree and no branch was made. */
  nothingCreated(): void;
}

/** The describe-level setup of the trust and repository-lever tests: an UntrustedRepo for each test. */
export function untrustedRepoEach(): UntrustedRepo {
  let current: TestRepo | null = null;
  beforeEach(() => {
    current = makeRepo('app');
  });
  afterEach(() => {
    current?.cleanup();
    current = null;
  });
  const repo = (): TestRepo => {
    if (!current) throw new Error('the repository exists only while a test runs');
    return current;
  };
  const userConfig = () => path.join(repo().parent, 'user-config');
  return {
    get repo() {
      return repo();
    },
    get userConfig() {
      return userConfig();
    },
    cli: (args, env = {}) =>
      runCli(args, {
        cwd: repo().root,
        env: { GIT_PARALLEL_TRUST: '', XDG_CONFIG_HOME: userConfig(), ...env },
      }),
    repoConfig: (settings) => {
      writeFileSync(
        path.join(repo().root, '.git-parallelrc.json'),
        JSON.stringify({ agent: 'shell', ...settings }),
      );
      repo().commit('config');
    },
    nothingCreated: () => {
      expect(existsSync(path.join(repo().parent, 'app-worktrees'))).toBe(false);
      expect(repo().git('branch', '--list')).toBe('* main');
    },
  };
}

/** What worldOf reads: everything a command could create or change, to compare before and after. */
export interface World {
  branches: string;
  worktrees: string;
  /** The run state folders under .git/parallel. */
  state: string[];
  sessions: string | null;
  /** The folders beside the repository (where the worktree folder goes), but those `besides` names. */
  siblings: string[];
}

/**
 * The world as git-parallel could have changed it: a refused or interrupted command must leave it as it
 * was. `besides` names what the test itself keeps beside the repository (the stand-in's records, …).
 */
export function worldOf(workspace: Pick<Workspace, 'repo' | 'tmux'>, besides: string[] = []): World {
  const { repo, tmux } = workspace;
  const state = path.join(repo.root, '.git', 'parallel');
  return {
    branches: repo.git('branch', '--list', '--format=%(HEAD) %(refname)'),
    worktrees: repo.git('worktree', 'list', '--porcelain'),
    state: existsSync(state) ? readdirSync(state).filter((f) => !f.startsWith('.')) : [],
    sessions: tmux.tryTmux('list-sessions', '-F', '#{session_name}'),
    siblings: readdirSync(repo.parent)
      .filter((f) => !besides.includes(f))
      .sort(),
  };
}
