/**
 * The product's nouns. A run is one `git parallel <task>` invocation; it has N candidates, each a
 * worktree + branch + agent + ports. These types are what run.json holds, so changing them is a
 * state-format change: bump MANIFEST_VERSION and keep reading the old shape.
 */

/** How an agent receives the prompt. */
export type PromptMode = 'positional' | 'none' | 'stdin' | { flag: string };

/** An agent definition: the shape of a preset and of `agents.<name>` in config. */
export interface AgentSpec {
  /** Executable name (looked up on PATH) or path. */
  command: string;
  /** Arguments always passed, before the prompt. */
  args: string[];
  prompt: PromptMode;
  /** Flags added with --yolo (skip-permission mode). */
  yolo: string[];
  /** The flag that selects a model, e.g. "--model"; undefined when the agent has none. */
  model?: string;
  /** Extra environment variables for the agent. */
  env: Record<string, string>;
  /**
   * Its one-shot (print) mode, for `review`: the arguments that make it answer one prompt and exit,
   * without changing files (instead of `args`), and how that prompt is passed. Absent: it cannot review.
   */
  oneShot?: OneShotMode;
}

/** How an agent answers one prompt non-interactively and exits (`claude -p`, `codex exec`…). */
export interface OneShotMode {
  args: string[];
  prompt: PromptMode;
}

export type MuxKind = 'tmux' | 'zellij' | 'none';

/** What a pane runs and where: the multiplexer-neutral description of one agent pane. */
/** What the multiplexer is asked to start for a run: one pane per candidate, each running the launcher. */
export interface SessionRequest {
  session: string;
  /** Window/tab name. */
  window: string;
  /** Built-in layout name or a template path. */
  layout: string;
  panes: PaneSpec[];
  /** The run's state folder, where the layout file is written. */
  stateDir: string;
  /** Zellij's --tab: the run opens as tab(s) of the current session. */
  tab?: boolean;
}

export interface PaneSpec {
  /** The border/pane title, `<task>-<n> · <agent> · :<PORT>`. */
  title: string;
  /** Absolute working directory (the candidate's worktree). */
  cwd: string;
  /** argv[0] is an absolute executable path; never passed through a shell. */
  argv: string[];
}

export interface Candidate {
  n: number;
  /** `<task>-<n>` unless the branch pattern says otherwise; the worktree folder's name. */
  name: string;
  branch: string;
  /** Absolute path of the worktree. */
  worktree: string;
  /** Agent name (a preset or a config-defined agent). */
  agent: string;
  /** The resolved command line without the prompt: absolute executable first. */
  command: string[];
  prompt: PromptMode;
  /** The agent's own env (from its definition); the candidate env is added by the launcher. */
  agentEnv: Record<string, string>;
  slot: number;
  ports: Record<string, number>;
  /** Issue 16: this candidate's own prompt file (a synthesis candidate); absent: the run's prompt. */
  promptFile?: string;
  /** Issue 16: a synthesis candidate, and the candidates it combines. */
  synthesisOf?: number[];
  /** Extra variables of this candidate, set while preparing it (its own DATABASE_URL…). */
  env?: Record<string, string>;
}

export interface RunManifest {
  version: 1;
  task: string;
  repo: { root: string; name: string; commonDir: string };
  base: { commit: string; ref: string | null };
  createdAt: string;
  /** `creating` until every worktree exists and the session started; `ready` afterwards. */
  phase: 'creating' | 'ready';
  /** While `creating`: the process creating the run, so others can tell a creation in progress from a killed one. */
  creator?: { pid: number; host: string };
  /** Absolute path of the prompt file in the state folder, or null for a run without a prompt. */
  promptFile: string | null;
  /** `tab` marks a run opened as a tab of the user's own Zellij session (`--tab`): rm never ends that session. */
  mux: { kind: MuxKind; session: string | null; layout: string; tab?: boolean };
  candidates: Candidate[];
  /** Issue 16: the GitHub issue the prompt came from (`--issue N`); `pick --pr` closes it. */
  issue?: { number: number; title: string; url: string | null; repo: string | null };
  /** Issue 17: every agent of the run starts in a sandbox (bubblewrap, sandbox-exec). Absent: no sandbox. */
  sandbox?: boolean;
}

export const MANIFEST_VERSION = 1;

/** A gitignored file or folder of the main worktree that every candidate gets (io/copy-files.ts). */
export interface FileEntry {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  isDir: boolean;
  how: 'copy' | 'link';
}

export interface FileSelection {
  entries: FileEntry[];
  /** One line per config pattern that selected nothing, with the reason when it is known. */
  warnings: string[];
}
