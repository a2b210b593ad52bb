import { openContext } from '../commands/context.js';
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
import { run } from '../io/exec.js';
import { bwrapName, sandboxProblem } from '../io/sandbox.js';
import { which } from '../io/which.js';

import { formatTable, type Reporter } from '../output/reporter.js';

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
}

/** `git parallel doctor`: git, the multiplexers and every known agent: found, version, what to do. */
export async function doctor(io: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}): Promise<number> {
  let agents: Record<string, AgentSpec> = { ...AGENT_PRESETS };
  let configNote: string | null = null;
  try {
    agents = (await openContext(io.cwd, io.env)).agents;
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
  const version = name === 'shell' ? null : await versionOf(path, ['--version'], env);
  return { name, kind: 'agent', found: true, path, version, ok: true, advice: '' };
}

async function versionOf(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    const result = await run(path, args, { cwd: '/', env, check: false, timeout: 5000, ownGroup: true });
    const line = (result.stdout || result.stderr).trim().split('\n')[0] ?? '';
    const match = line.match(/\d+\.\d+(\.\d+)?[\w.-]*/);
    return match ? match[0] : line || null;
  } catch {
    return null;
  }
}
