import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { detectDialog } from '../../src/core/agent-screens.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';
import { type ModelServer, PROBE_FILE, startModelServer } from './model-server.js';

/**
 * One real-agent test's world: a repository, the model stand-in, a HOME set up the way a user who has
 * used each agent before has it (onboarded, API key accepted, this repository trusted), and a private
 * tmux server that was ALREADY RUNNING before the run, with an environment that lacks every variable
 * the agents need: they reach the panes only if git-parallel passes the caller's environment on.
 */
export interface AgentWorld {
  repo: TestRepo;
  server: ModelServer;
  tmux: PrivateTmux;
  home: string;
  env: Record<string, string>;
  cli(args: string[]): Promise<CliResult>;
  /** `status --json`'s candidates. */
  states(task: string): Promise<{ name: string; state: string; reason: string }[]>;
  /** Waits until every candidate is in `state`, and returns the states seen on the way, per candidate. */
  waitForAll(task: string, state: string, timeoutMs?: number): Promise<string[][]>;
  worktree(task: string, n: number): string;
  paneId(task: string, n: number): string;
  screen(task: string, n: number): string;
  /** Answers "yes" where candidate n waits at a permission prompt (see approveInPane). */
  approve(task: string, n: number): Promise<void>;
  /** What the agent's shell command recorded in its worktree. */
  probe(task: string, n: number): Record<string, string> | null;
  manifest(task: string): { candidates: { n: number; ports: Record<string, number>; worktree: string }[] };
  /** The processes of this world's agents and their helpers (see processesUnder). */
  processesInside(): { pid: number; command: string }[];
  close(): Promise<void>;
}

export const API_KEY = 'sk-ant-stand-in-0123456789abcdefghijklmn';
export const CALLER_PROBE = 'from-the-callers-shell';

export function agentsBin(): string {
  const bin = process.env.GP_AGENTS_BIN;
  if (!bin || !existsSync(bin))
    throw new Error('GP_AGENTS_BIN is not set: run this suite with npm run test:agents');
  return bin;
}

export async function agentWorld(): Promise<AgentWorld> {
  const bin = agentsBin();
  const repo = makeRepo('app');
  const server = await startModelServer();
  const home = path.join(repo.parent, 'home');
  mkdirSync(home);
  const env: Record<string, string> = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: API_KEY,
    // Gemini CLI: an API key, and the base URL it reads (packages/core/src/core/contentGenerator.ts).
    GEMINI_API_KEY: 'stand-in-gemini-key',
    GOOGLE_GEMINI_BASE_URL: server.url,
    // Copilot CLI with its own model provider ("copilot help providers"); offline: no GitHub sign-in.
    COPILOT_OFFLINE: 'true',
    COPILOT_PROVIDER_TYPE: 'anthropic',
    COPILOT_PROVIDER_BASE_URL: server.url,
    COPILOT_PROVIDER_API_KEY: API_KEY,
    COPILOT_MODEL: 'claude-sonnet-4.5',
    // Copilot unpacks its 235 MB package on first start: into the shared agents folder, once.
    COPILOT_PKG_CACHE_HOME: path.join(bin, '..', '..', 'copilot-pkg'),
    // opencode waits ~20 s for models.dev at start when the network is unreachable; its model list is bundled.
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    GP_PROBE: CALLER_PROBE,
  };
  presetHome(home, repo.root, path.join(repo.parent, 'app-worktrees'), server.url, {
    ...process.env,
    ...env,
  });

  const tmux = privateTmux();
  // The user's tmux server, started before the run from a shell that had none of the variables above.
  tmux.tmux('new-session', '-d', '-s', 'already-running');
  const cliEnv = { ...env, ...tmux.env };
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: cliEnv });
  const states = async (task: string) => {
    const result = await cli(['status', task, '--json']);
    if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
    return JSON.parse(result.stdout).runs[0].candidates as { name: string; state: string; reason: string }[];
  };
  const manifest = (task: string) =>
    JSON.parse(readFileSync(path.join(repo.root, '.git', 'parallel', task, 'run.json'), 'utf8'));
  const paneId = (task: string, n: number) => {
    const lines = tmux.tmux('list-panes', '-a', '-F', '#{@gp_name}\t#{pane_id}').split('\n');
    const line = lines.find((l) => l.startsWith(`${task}-${n} `));
    if (!line) throw new Error(`no pane for ${task}-${n}`);
    return line.split('\t')[1]!;
  };
  const screen = (task: string, n: number) => tmux.tmux('capture-pane', '-p', '-t', paneId(task, n));
  const stateOf = async (task: string, n: number) =>
    (await states(task)).find((c) => c.name === `${task}-${n}`)?.state;
  return {
    repo,
    server,
    tmux,
    home,
    env: cliEnv,
    cli,
    states,
    waitForAll: async (task, state, timeoutMs = 300_000) => {
      const seen: string[][] = [];
      await waitFor(
        async () => {
          const now = await states(task);
          now.forEach((c, i) => {
            seen[i] ??= [];
            if (seen[i]!.at(-1) !== c.state) seen[i]!.push(c.state);
          });
          return now.every((c) => c.state === state) ? true : undefined;
        },
        `every candidate of ${task} ${state}`,
        timeoutMs,
      ).catch(async (error: Error) => {
        error.message += `; seen ${JSON.stringify(seen)}, now ${JSON.stringify(await states(task))}`;
        const screens = manifest(task)
          .candidates.map((c: { n: number }) => `--- ${task}-${c.n}\n${safe(() => screen(task, c.n))}`)
          .join('\n');
        throw new Error(`${error.message}\n${screens}\nrequests: ${server.requests.slice(-20).join('\n')}`);
      });
      return seen;
    },
    worktree: (task, n) => path.join(repo.parent, 'app-worktrees', `${task}-${n}`),
    paneId,
    screen,
    approve: (task, n) =>
      approveInPane({
        press: () => tmux.tmux('send-keys', '-t', paneId(task, n), 'Enter'),
        screen: () => screen(task, n),
        stillWaiting: async () => (await stateOf(task, n)) === 'waiting',
      }),
    probe: (task, n) => {
      const file = path.join(repo.parent, 'app-worktrees', `${task}-${n}`, PROBE_FILE);
      if (!existsSync(file)) return null;
      return Object.fromEntries(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    },
    manifest,
    processesInside: () => processesUnder(repo.parent),
    close: async () => {
      tmux.kill();
      // Agents write their own state into HOME while they shut down: let them finish first.
      await waitFor(
        () => (processesUnder(repo.parent).length === 0 ? true : undefined),
        'the agents to end',
        20_000,
      ).catch(() => undefined);
      await server.close();
      rmSync(repo.parent, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

/**
 * A fresh agentWorld for every test of the describe block this is called in, closed after the test:
 * the setup every real-agent test file shares, so each states only what differs. The object returned
 * stands for the world of the test that runs now (each property is read from it when used), so tests
 * use it as they would the world itself. `beforeClose` runs first at the end of each test (e.g. to keep
 * the agents' files).
 */
export function useAgentWorld(options: { beforeClose?: (world: AgentWorld) => void } = {}): AgentWorld {
  let current: AgentWorld | undefined;
  beforeEach(async () => {
    current = await agentWorld();
  });
  afterEach(async () => {
    const world = current;
    current = undefined;
    if (!world) return;
    try {
      options.beforeClose?.(world);
    } finally {
      await world.close();
    }
  });
  return new Proxy({} as AgentWorld, {
    get(_, key) {
      if (!current) throw new Error('the agent world exists only inside a test');
      return Reflect.get(current, key);
    },
  });
}

/**
 * Answers "yes" at a permission prompt as a person does: Enter (in all five agents the first choice,
 * allow once, is selected), and Enter again when a few seconds later the candidate still waits with the
 * same permission dialog on its screen (core/agent-screens.ts recognises it). Gemini CLI 0.61 drops an
 * Enter that arrives before its dialog takes the keyboard (CI, 2026-12-03 and 2026-12-06: the dialog
 * stayed open for the whole wait); the screen itself may still change in that time, as the dialog
 * finishes drawing, so only the dialog's presence counts. Once it is gone nothing more is sent, so an
 * answer is never given twice.
 */
async function approveInPane(pane: {
  press: () => void;
  screen: () => string;
  stillWaiting: () => Promise<boolean>;
}): Promise<void> {
  const dialogOnScreen = () => detectDialog(pane.screen())?.kind === 'permission';
  for (let attempt = 1; ; attempt++) {
    pane.press();
    const answered = await waitFor(
      async () => ((await pane.stillWaiting()) && dialogOnScreen() ? undefined : true),
      'the agent to take the answer',
      6_000,
    ).catch(() => false);
    if (answered || attempt === 3) return;
  }
}

function safe(read: () => string): string {
  try {
    return read();
  } catch (error) {
    return String(error);
  }
}

/**
 * The processes of this world's agents: working in a folder inside it, or started by an agent of it
 * (GIT_PARALLEL_WORKTREE, which the launcher gives the agent, names a worktree inside it; every helper
 * the agent starts inherits it, a background server that moved to another folder too).
 */
function processesUnder(folder: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  const inside = (p: string) => p === folder || p.startsWith(`${folder}/`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const worktree = readFileSync(`/proc/${entry}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('GIT_PARALLEL_WORKTREE='))
        ?.slice('GIT_PARALLEL_WORKTREE='.length);
      if (inside(cwd) || cwd.includes(`${folder}/`) || (worktree !== undefined && inside(worktree))) {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
        found.push({ pid: Number(entry), command });
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * The agents' own files in HOME, as a user who has run each one before has them. Every key below is
 * the agent's own, read from its source or written by its own commands:
 * - Claude Code (~/.claude.json): `hasCompletedOnboarding`, `customApiKeyResponses.approved` (the last
 *   20 characters of the key: "Do you want to use this API key?" answered yes) and
 *   `projects[<main repository>].hasTrustDialogAccepted` (the trust is saved at the main repository's path,
 *   so it covers every worktree of it).
 * - Codex (~/.codex): `codex login --with-api-key` (its own command) writes auth.json; config.toml sets
 *   `openai_base_url`, a model whose tools are the plain exec_command set, and
 *   `[projects."<main repository>"] trust_level = "trusted"`.
 * - Gemini CLI (~/.gemini): settings.json `security.auth.selectedType = "gemini-api-key"`, and
 *   trustedFolders.json trusting the worktrees' parent folder (its dialog's "Trust parent folder"; Gemini
 *   asks for every new folder otherwise).
 * - opencode (~/.config/opencode/opencode.json): the Anthropic provider's `baseURL`, a model, and
 *   `permission.bash = "ask"` (its default runs commands without asking); its database, made by a first
 *   run (`opencode auth list`).
 * - Copilot CLI (~/.copilot/config.json): `trustedFolders` (its dialog's "Yes, and remember this folder").
 */
function presetHome(
  home: string,
  repoRoot: string,
  worktrees: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
): void {
  writeFileSync(
    path.join(home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      lastOnboardingVersion: '2.1.197',
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
      projects: { [repoRoot]: { hasTrustDialogAccepted: true } },
    }),
  );
  const codexHome = path.join(home, '.codex');
  mkdirSync(codexHome);
  writeFileSync(
    path.join(codexHome, 'config.toml'),
    [
      `openai_base_url = ${JSON.stringify(`${serverUrl}/v1`)}`,
      'model = "gpt-4.1"',
      `[projects.${JSON.stringify(repoRoot)}]`,
      'trust_level = "trusted"',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(home, '.gemini'));
  writeFileSync(
    path.join(home, '.gemini', 'settings.json'),
    JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
  );
  writeFileSync(
    path.join(home, '.gemini', 'trustedFolders.json'),
    JSON.stringify({ [repoRoot]: 'TRUST_FOLDER', [worktrees]: 'TRUST_FOLDER' }),
  );
  mkdirSync(path.join(home, '.config', 'opencode'), { recursive: true });
  writeFileSync(
    path.join(home, '.config', 'opencode', 'opencode.json'),
    JSON.stringify({
      $schema: 'https://opencode.ai/config.json',
      model: 'anthropic/claude-sonnet-4-5',
      provider: { anthropic: { options: { baseURL: `${serverUrl}/v1` } } },
      permission: { bash: 'ask' },
    }),
  );
  mkdirSync(path.join(home, '.copilot'));
  writeFileSync(
    path.join(home, '.copilot', 'config.json'),
    JSON.stringify({ trustedFolders: [repoRoot, worktrees] }),
  );
  // opencode makes and migrates its database at its first start: three candidates that start at once in
  // a brand-new HOME race for it (one hangs). A user who has run opencode before has it already.
  execFileSync('opencode', ['auth', 'list'], { env, cwd: home, stdio: 'ignore', timeout: 120_000 });
  execFileSync('codex', ['login', '--with-api-key'], {
    env,
    cwd: home,
    input: 'sk-stand-in-openai',
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}
