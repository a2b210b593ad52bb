import { chmod, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRecord, wrongField } from './records.js';

/**
 * The environment of the person who started the run, for the panes' launcher.
 *
 * A multiplexer server that is already running starts new panes with ITS environment (tmux's global
 * environment, from when the server started), not the caller's: API keys, base URLs and PATH changes
 * made in the user's shell since then would be lost. So the caller's variables are kept in the run's
 * state folder, readable by the user alone (0600, written before it holds anything), never on a command
 * line (other users can read those in `ps`) or in the layout files, and the launcher puts them back.
 */
export const callerEnvPath = (stateDir: string) => path.join(stateDir, 'caller-env.json');

/**
 * Variables that belong to the terminal a pane runs in, or to the shell that started us: the pane's own
 * values are the true ones.
 */
const PANE_OWN = new Set([
  'TMUX',
  'TMUX_PANE',
  'TERM',
  'TERM_PROGRAM',
  'TERM_PROGRAM_VERSION',
  'COLUMNS',
  'LINES',
  'PWD',
  'OLDPWD',
  'SHLVL',
  '_',
  'GIT_PARALLEL_TMUX_SOCKET',
]);
const isPaneOwn = (name: string) => PANE_OWN.has(name) || name.startsWith('ZELLIJ');

/** The caller's variables as the launcher restores them: all but the pane's own. */
export function callerVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isPaneOwn(name)) kept[name] = value;
  }
  return kept;
}

export async function writeCallerEnv(stateDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const kept = callerVariables(env);
  const file = callerEnvPath(stateDir);
  const temporary = `${file}.${process.pid}.tmp`;
  // `mode` applies only when the file is created; chmod covers a leftover temporary file.
  await writeFile(temporary, '', { mode: 0o600 });
  await chmod(temporary, 0o600);
  await writeFile(temporary, `${JSON.stringify(kept)}\n`);
  await rename(temporary, file);
}

/**
 * The caller's variables, or an empty set when the run has none recorded (older runs, `--mux none`). A
 * damaged file stops the launch (DamagedRecord): an agent started without the caller's API keys, base
 * URLs and PATH would fail in ways that point nowhere near this file, or use other credentials.
 */
export async function readCallerEnv(stateDir: string): Promise<Record<string, string>> {
  const recorded = await readRecord<Record<string, string>>(
    callerEnvPath(stateDir),
    callerEnvProblem,
    "it holds the environment of the person who started the run; delete it to start the agents in the multiplexer's environment instead, or start the run again",
  );
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded ?? {})) if (!isPaneOwn(name)) env[name] = value;
  return env;
}

function callerEnvProblem(value: unknown): string | null {
  const wrong = wrongField(value, {});
  if (wrong !== null) return wrong;
  const name = Object.entries(value as object).find(([, v]) => typeof v !== 'string')?.[0];
  return name === undefined ? null : `has a variable ${name} that is not a string`;
}
