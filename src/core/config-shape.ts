import type { AgentSpec, MuxKind } from './types.js';

/**
 * The shape of git-parallel's settings, which the core's pure functions read (trust's list of what a
 * repository's config would run, the run's plan). Reading and checking config files is config/.
 */

/** The hooks a config can set, in the order of a candidate's life. */
export const HOOK_NAMES = ['postCreate', 'preRemove', 'postRemove'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** The settings a user can write in a config file. Every key is optional; defaults fill the rest. */
export interface Config {
  /** The default agent (`-a/--agent`). */
  agent: string;
  /** The default `--agents`: a count of the default agent, or a line-up such as "claude:2,codex:1". */
  lineup: number | string;
  /** Agent definitions by name, added to (or, from the user's own config, overriding) the presets. */
  agents: Record<string, AgentSpec>;
  /** Where worktrees go, relative to the main worktree: placeholders {repo} {task} {n} {agent}. */
  worktreeDir: string;
  /** The branch name of each candidate: placeholders {repo} {task} {n} {agent}. */
  branch: string;
  /** Port variables and their bases: each candidate gets base + slot. */
  ports: Record<string, number>;
  /** Slots lie in 1..portSpan-1, so ports stay within [base+1, base+portSpan-1]. */
  portSpan: number;
  mux: MuxKind | 'auto';
  yolo: boolean;
  /** Issue 17: start every agent in a sandbox that can write only its own worktree and branch. */
  sandbox: boolean;
  model: string | null;
  /** Built-in layout name (tiled, columns, rows, tabs) or a path to a template. */
  layout: string;

  // After the agents (status, compare).
  /** The project's own check, run in every worktree by `compare --check`. */
  check: string | null;
  /** Seconds before a check is stopped. */
  checkTimeout: number;
  /** Seconds without output or file change after which a working agent shows as idle. */
  idleSeconds: number;

  // Ready-to-run worktrees.
  /** Gitignored files (globs relative to the repository root) copied into every candidate. */
  copy: string[];
  /** Like copy, but symlinked. */
  link: string[];
  /** A dotenv file in each worktree that receives the candidate's ports and GIT_PARALLEL_* variables. */
  envFile: string | null;
  /** Commands run in every new worktree before its agent starts. */
  setup: string[];
  /** Seconds before a setup command is stopped. */
  setupTimeout: number;
  /** How node_modules is provided: auto (clone or link when the lockfile matches), install, or none. */
  deps: 'auto' | 'install' | 'none';
  /** A database per candidate. */
  database: { sqlite?: string[]; postgres?: { url: string; env?: string } };
  /** Shell commands run in a candidate's worktree with its environment. */
  hooks: Partial<Record<HookName, string | string[]>>;
}

/** An object with keys (not null, not an array): what a config file, a JSON record or a setting must be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
