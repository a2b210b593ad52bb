import { homedir } from 'node:os';
import path from 'node:path';
import { AGENT_PRESETS } from '../core/agent-presets.js';
import type { AgentSpec } from '../core/types.js';
import {
  atLeast,
  MIN_GIT,
  MIN_TMUX,
  MIN_ZELLIJ,
  parseVersion,
  type Version,
  zellijFeatures,
} from '../core/versions.js';
import { type AgentSetup, readAgentSetup } from '../io/agent-setup.js';
import { run } from '../io/exec.js';
import { bwrapName, sandboxProblem } from '../io/sandbox.js';
import { which } from '../io/which.js';
import { formatTable, type Reporter } from '../output/reporter.js';
import { openContext } from './context.js';

export interface DoctorRow {
  name: string;
  kind: 'tool' | 'agent';
  found: boolean;
  path: string | null;
  version: string | null;
  ok: boolean;
  advice: string;
  /** What this version makes possible (Zellij's features depend on its version). */
  features?: string[];
  /** For an installed agent: signed in? this repository trusted? the one-time steps left (issue 9). */
  setup?: AgentSetup;
}

/** `git parallel doctor`: git, the multiplexers and every known agent: found, version, what to do. */
export async function doctor(io: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}): Promise<number> {
  let agents: Record<string, AgentSpec> = { ...AGENT_PRESETS };
  let configNote: string | null = null;
  let where: Parameters<typeof readAgentSetup>[1] | null = null;
  try {
    const context = await openContext(io.cwd, io.env);
    agents = context.agents;
    const pattern = context.loaded.config.worktreeDir.replaceAll('{repo}', context.repo.name);
    where = {
      home: io.env.HOME ?? homedir(),
      env: io.env,
      repoRoot: context.repo.mainRoot,
      worktreeParent: path.dirname(path.resolve(context.repo.mainRoot, pattern)),
    };
  } catch (error) {
    configNote = `config not read: ${(error as Error).message}`;
  }
  const rows = await Promise.all([
    tool('git', ['--version'], MIN_GIT, 'install git 2.25 or newer', io.env),
    tool(
      'tmux',
      ['-V'],
      MIN_TMUX,
      'install tmux 3.0 or newer (apt install tmux, brew install tmux), or use --mux none',
      io.env,
    ),
    tool(
      'zellij',
      ['--version'],
      MIN_ZELLIJ,
      'optional: install Zellij 0.40.1 or newer to use --mux zellij',
      io.env,
    ),
    ...Object.entries(agents).map(([name, spec]) => agent(name, spec, io.cwd, io.env)),
    sandboxRow(io.env),
  ]);
  if (where) {
    for (const row of rows) {
      if (row.kind !== 'agent' || !row.found) continue;
      const setup = await readAgentSetup(path.basename(agents[row.name]!.command), where);
      if (setup) row.setup = setup;
    }
  }
  const zellijRow = rows[2]!;
  if (zellijRow.found && zellijRow.version) zellijRow.features = describeZellijFeatures(zellijRow.version);
  io.reporter.document({ checks: rows, config: configNote });
  if (!io.reporter.json) {
    const table = rows.map((r) => [
      r.name,
      r.found ? (r.ok ? 'ok' : r.name === 'sandbox' ? 'fails' : 'too old') : 'missing',
      r.version ?? '-',
      r.found && r.ok ? (r.path ?? '') : r.advice,
    ]);
    for (const line of formatTable(['CHECK', 'STATE', 'VERSION', 'WHERE / WHAT TO DO'], table))
      io.reporter.print(line);
    if (zellijRow.features) io.reporter.print(`zellij features: ${zellijRow.features.join('; ')}`);
    for (const row of rows) {
      if (!row.setup) continue;
      const yes = (value: boolean | null) => (value === null ? 'n/a' : value ? 'yes' : 'no');
      const facts = `signed in: ${yes(row.setup.signedIn)}, this repository trusted: ${yes(row.setup.trusted)}`;
      io.reporter.print(
        `${row.name}: ${facts}${row.setup.steps.map((step) => `\n  first: ${step}`).join('')}`,
      );
    }
    if (configNote) io.reporter.warn(configNote);
  }
  const git = rows[0]!;
  return git.found && git.ok ? 0 : 1;
}

/** Issue 17: whether `--sandbox` works here, by making one sandbox. Optional, so never a failure of doctor. */
async function sandboxRow(env: NodeJS.ProcessEnv): Promise<DoctorRow> {
  const problem = await sandboxProblem(env, '/', null);
  const path = process.platform === 'linux' ? await which(bwrapName(env), '/', env) : null;
  const version = path ? await versionOf(path, ['--version'], env) : null;
  return {
    name: 'sandbox',
    kind: 'tool',
    found: problem === null || path !== null,
    path,
    version,
    ok: problem === null,
    advice: problem === null ? '' : `optional: ${problem}`,
  };
}

function describeZellijFeatures(version: string): string[] {
  const parsed = parseVersion(version);
  if (!parsed) return [];
  const on = zellijFeatures(parsed);
  const say = (enabled: boolean, what: string, since: string) =>
    `${what}: ${enabled ? 'yes' : `no (needs ${since})`}`;
  return [
    say(on.backgroundWithLayout, 'runs and --no-attach', '0.40.1'),
    say(on.switchSession, 'switching sessions from inside Zellij', '0.44.0'),
    say(on.paneQueries, 'pane state and send by pane', '0.44.0'),
  ];
}

async function tool(
  name: string,
  args: string[],
  minimum: Version,
  advice: string,
  env: NodeJS.ProcessEnv,
): Promise<DoctorRow> {
  const path = await which(name, '/', env);
  if (!path) return { name, kind: 'tool', found: false, path: null, version: null, ok: false, advice };
  const version = await versionOf(path, args, env);
  const parsed = version ? parseVersion(version) : null;
  const ok = parsed !== null && atLeast(parsed, minimum);
  return { name, kind: 'tool', found: true, path, version, ok, advice: ok ? '' : advice };
}

async function agent(name: string, spec: AgentSpec, cwd: string, env: NodeJS.ProcessEnv): Promise<DoctorRow> {
  const path = await which(spec.command, cwd, env);
  const advice = `${spec.command} is not on PATH; install it to use --agent ${name}`;
  if (!path) return { name, kind: 'agent', found: false, path: null, version: null, ok: false, advice };
  // Agents are usually Node or Python programs; their --version is slow but bounded.
  const version = name === 'shell' ? null : await versionOf(path, ['--version'], env, 15_000);
  return { name, kind: 'agent', found: true, path, version, ok: true, advice: '' };
}

async function versionOf(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout = 5000,
): Promise<string | null> {
  try {
    // Gemini CLI and opencode load a large bundle before they print a version: seconds on a busy machine.
    const result = await run(path, args, { cwd: '/', env, check: false, timeout, ownGroup: true });
    const line = (result.stdout || result.stderr).trim().split('\n')[0] ?? '';
    // "GitHub Copilot CLI 1.0.102." ends its sentence with a dot: not part of the version.
    const match = line.match(/\d+\.\d+(\.\d+)?([\w.-]*[\w-])?/);
    return match ? match[0] : line || null;
  } catch {
    return null;
  }
}
