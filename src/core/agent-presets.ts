/**
 * Built-in agent presets: how to start each supported coding agent as an INTERACTIVE session that
 * takes the run's prompt as its first message and then stays open for follow-ups typed into its pane.
 * One-shot/print modes (`claude -p`, `codex exec`, `gemini -p`, `opencode run`, `copilot -p`) are never
 * used for candidates; they are each preset's `oneShot`, which `review` runs (one prompt, an answer on
 * stdout, no file changed). Their flags were checked against the pinned CLIs' own `--help` (Claude Code
 * 2.1.197, Codex 0.171.0, Gemini CLI 0.61.0, opencode 1.18.33, Copilot CLI 1.0.102). Where the agent
 * reads the prompt from stdin it is given there: a review prompt holds whole diffs, and Linux refuses a
 * single argument over 128 KiB.
 *
 * Data only. Every flag below was checked against the agent's own documentation or CLI source; the
 * comment above each entry names that source. A deliberate change to a flag must also change the
 * explicit table in test/unit/agent-presets.test.ts.
 */
import type { AgentSpec } from './types.js';

export const AGENT_PRESETS: Readonly<Record<string, AgentSpec>> = {
  // Claude Code. Source: https://docs.anthropic.com/en/docs/claude-code/cli-reference (now
  // code.claude.com/docs/en/cli-reference), "CLI commands": `claude "query"` = "Start REPL with
  // initial prompt" (`-p` is the one-shot mode); flags table: `--model` (alias or full name) and
  // `--dangerously-skip-permissions` (same as `--permission-mode bypassPermissions`).
  // Caveat: Claude Code refuses --dangerously-skip-permissions when run as root outside a sandbox.
  // The prompt goes to its standard input, not its argv (issue 9): Claude's commander dispatches a prompt
  // that is a subcommand's name (`mcp`, `doctor`) even after `--`, drops the prompt `code`, and exits on a
  // one-word prompt close to a subcommand's name ("Did you mean claude update?"). Its interactive mode
  // reads piped stdin as the first message (its main action: `[prompt, stdin].filter(Boolean).join("\n")`)
  // and then takes the keyboard from /dev/tty, so the session stays open for follow-ups. Checked with the
  // real 2.1.197 in test/real-agents; stdin also lifts Linux's 128 KiB limit on one argument.
  claude: {
    command: 'claude',
    args: [],
    prompt: 'stdin',
    yolo: ['--dangerously-skip-permissions'],
    model: '--model',
    env: {},
    // `-p/--print` "Print response and exit", the prompt from stdin when none is given; `--tools ""`
    // "Use "" to disable all tools": the reviewer has everything in its prompt and can change nothing.
    oneShot: { args: ['--print', '--tools', '', '--output-format', 'text'], prompt: 'stdin' },
  },

  // OpenAI Codex CLI. Sources: openai/codex codex-rs/tui/src/cli.rs (`prompt: Option<String>`,
  // "Optional user prompt to start the session" -> the interactive TUI; `-m/--model`;
  // `--dangerously-bypass-approvals-and-sandbox` with alias `--yolo`) and
  // https://developers.openai.com/codex/cli/reference (2026: "--dangerously-bypass-approvals-and-sandbox,
  // --yolo: Run every command without approvals or sandboxing"). `--full-auto` is NOT yolo: it keeps
  // the workspace-write sandbox and on-request approvals. The long flag name is used because it is
  // the one every release accepts.
  codex: {
    command: 'codex',
    // Codex 0.171 runs sessions in one shared background server by default ("app-server …
    // --managed-daemon"), which carries the environment of the candidate that started it and outlives
    // `rm`; `--no-daemon` "Run without the shared background server" keeps each candidate's own.
    args: ['--no-daemon'],
    prompt: 'positional',
    yolo: ['--dangerously-bypass-approvals-and-sandbox'],
    model: '--model',
    env: {},
    // `codex exec` "Run Codex non-interactively"; "If not provided as an argument (or if `-` is used),
    // instructions are read from stdin"; `--sandbox read-only`; `--skip-git-repo-check` "Allow running
    // Codex outside a Git repository" (the reviewer runs in a scratch folder); `--color never`.
    oneShot: {
      args: ['exec', '--sandbox', 'read-only', '--skip-git-repo-check', '--color', 'never', '-'],
      prompt: 'stdin',
    },
  },

  // Gemini CLI. Source: google-gemini/gemini-cli packages/cli/src/config/config.ts (yargs):
  // `-i/--prompt-interactive` "Execute the provided prompt and continue in interactive mode",
  // `-m/--model`, `-y/--yolo` "Automatically accept all actions". Caveat: the bare positional
  // prompt was one-shot in 2025 releases and became interactive later, so the explicit
  // `--prompt-interactive` is used: it means the same thing in every version. It cannot be
  // combined with piped stdin (the launcher gives the agent a TTY, so that is fine).
  gemini: {
    command: 'gemini',
    args: [],
    prompt: { flag: '--prompt-interactive' },
    yolo: ['--yolo'],
    model: '--model',
    env: {},
    // `-p/--prompt` "Run in non-interactive (headless) mode with the given prompt. Appended to input on
    // stdin (if any)": the review goes to stdin, the flag carries one line after it. Headless Gemini
    // offers only tools that need no approval (no edits, no shell) under the default approval mode.
    // `--skip-trust` "Trust the current workspace for this session": headless Gemini refuses an untrusted
    // folder (exit 55), and the reviewer's is an empty scratch folder of git-parallel's own.
    oneShot: {
      args: [
        '--skip-trust',
        '--output-format',
        'text',
        '--prompt=Answer with the JSON object asked for above.',
      ],
      prompt: 'stdin',
    },
  },

  // OpenCode. Sources: anomalyco/opencode (formerly sst/opencode)
  // packages/opencode/src/cli/cmd/tui/thread.ts (default command `$0 [project]`: the positional is
  // a PROJECT DIRECTORY, not a prompt; `--prompt` "prompt to use"; `-m/--model` "provider/model")
  // and packages/opencode/src/cli/cmd/tui/routes/home.tsx (the --prompt text is set and submitted on
  // start, so the TUI runs it and stays open). Yolo: packages/web/src/content/docs/cli.mdx (2026,
  // opencode ~1.18) lists `--auto` "Auto-approve permissions that are not explicitly denied" for
  // the TUI; `--yolo`/`--dangerously-skip-permissions` remain as hidden aliases. Caveat: `--auto`
  // is recent (mid-2026); older opencode builds have no TUI-level skip-permission flag.
  // The model value must be `provider/model`, e.g. `anthropic/claude-sonnet-4-5`.
  opencode: {
    command: 'opencode',
    args: [],
    prompt: { flag: '--prompt' },
    yolo: ['--auto'],
    model: '--model',
    env: {},
    // `opencode run [message..]` "run opencode with a message"; piped stdin is read as the message;
    // `--agent plan` is opencode's built-in read-only agent (edits and commands denied).
    oneShot: { args: ['run', '--agent', 'plan'], prompt: 'stdin' },
  },

  // Cursor's CLI agent. Source: https://cursor.com/docs/cli ("Start with initial prompt:
  // agent \"refactor ...\"" in interactive mode; `-p/--print` is the non-interactive mode) and the
  // parameters reference https://cursor.com/docs/cli/reference/parameters (`--model <model>`,
  // `-f, --force` "Force allow commands unless explicitly denied", `--yolo` alias of --force).
  // Caveat: current docs call the binary `agent`; the installer puts both `agent` and
  // `cursor-agent` in ~/.local/bin, and `cursor-agent` is the less collision-prone name on PATH.
  'cursor-agent': {
    command: 'cursor-agent',
    args: [],
    prompt: 'positional',
    yolo: ['--force'],
    model: '--model',
    env: {},
  },

  // GitHub Copilot CLI (the standalone `copilot` binary, npm @github/copilot; not `gh copilot`).
  // Source: github/docs content/copilot/reference/copilot-cli-reference/cli-command-reference.md
  // (`-i PROMPT, --interactive=PROMPT` "Start an interactive session and automatically execute this
  // prompt"; `--model=MODEL`; `-p` is the programmatic exit-when-done mode) and
  // cli-programmatic-reference.md ("--allow-all (or --yolo): Allow the CLI all permissions.
  // Equivalent to --allow-all-tools --allow-all-paths --allow-all-urls"). Caveat: pre-GA builds
  // (before Feb 2026) only know `--allow-all-tools`; configure that in `agents.copilot` if needed.
  copilot: {
    command: 'copilot',
    args: [],
    prompt: { flag: '--interactive' },
    yolo: ['--allow-all'],
    model: '--model',
    env: {},
    // `-p/--prompt <text>` "Execute a prompt in non-interactive mode (exits after completion)", `-s/--silent`
    // "Output only the agent response", `--no-ask-user`, `--deny-tool` "Tools the CLI does not have
    // permission to use". Copilot takes the prompt only as an argument: review keeps it under 128 KiB.
    oneShot: {
      args: ['--silent', '--no-ask-user', '--deny-tool=write', '--deny-tool=shell'],
      prompt: { flag: '--prompt' },
    },
  },

  // Aider. Source: https://aider.chat/docs/config/options.html and aider/args.py: `--model`;
  // `--yes-always` "Always say yes to every confirmation"; `--message/-m` "Specify a single message
  // to send the LLM, process reply then exit (disables chat mode)"; `--load` runs /commands from a
  // FILE. Aider has no "initial message, then stay interactive" option, so prompt is 'none': the
  // pane opens aider's chat, where the user pastes or types the task (the pane stays usable for
  // follow-ups). For unattended one-shot runs, define an agent in config with
  // `prompt: { flag: '--message' }`; aider then exits after its reply. Caveat: `--yes-always`
  // still declines running shell commands that aider suggests (they need an explicit yes).
  aider: {
    command: 'aider',
    args: [],
    prompt: 'none',
    yolo: ['--yes-always'],
    model: '--model',
    env: {},
  },

  // A plain shell in the worktree, for working by hand next to the agents. The launcher runs the
  // user's $SHELL for this preset when it is set; `sh` is the portable fallback. It has no prompt, no
  // yolo flags and no model flag.
  shell: {
    command: 'sh',
    args: [],
    prompt: 'none',
    yolo: [],
    env: {},
  },
};

export const PRESET_NAMES = Object.keys(AGENT_PRESETS);

/**
 * What some agents refuse, keyed by executable name (a user's own agent definition that runs `claude`
 * refuses the same). Checked before a run creates anything.
 */
export interface AgentTraits {
  /**
   * Subcommand names: a prompt equal to one of them starts that subcommand instead of a session, even
   * after `--` (Claude Code's commander dispatches on its first operand wherever it stands).
   */
  subcommands?: string[];
  /** The yolo flag is refused by the agent itself when it runs as root outside a sandbox. */
  yoloRefusedAsRoot?: boolean;
}

export const AGENT_TRAITS: Readonly<Record<string, AgentTraits>> = {
  // `claude --help` (2.1.197), "Commands:", and commander's `help`. Its root check, from its source:
  // `process.getuid() === 0 && process.env.IS_SANDBOX !== "1"` → "--dangerously-skip-permissions cannot
  // be used with root/sudo privileges for security reasons", exit 1.
  claude: {
    subcommands: [
      'agents',
      'auth',
      'auto-mode',
      'doctor',
      'gateway',
      'help',
      'install',
      'mcp',
      'plugin',
      'project',
      'setup-token',
      'ultrareview',
      'update',
    ],
    yoloRefusedAsRoot: true,
  },
};
