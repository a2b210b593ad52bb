/**
 * What an agent's screen says about it, for agents (or moments) that report nothing themselves: the
 * dialogs that stop an agent until a person answers, and screen noise that is not progress.
 *
 * Each pattern is the agent's own wording, read from the version the real-agent suite runs
 * (test/real-agents): Claude Code 2.1.197, Codex 0.171.0, Gemini CLI 0.61.0, opencode 1.18.33,
 * Copilot CLI 1.0.102. A pattern matches only text that the dialog itself draws, never a word the
 * prompt or the agent's reply could hold alone, so two markers of one dialog are required together.
 */
export type DialogKind = 'permission' | 'trust' | 'login';

export interface ScreenDialog {
  kind: DialogKind;
  /** Who asks, in a few words, for `status`. */
  what: string;
  /** The agent has dropped the run's prompt at this dialog: it must be sent again once answered. */
  dropsPrompt?: boolean;
}

interface DialogPattern extends ScreenDialog {
  /** Every one must be on screen. */
  all: RegExp[];
}

const DIALOGS: DialogPattern[] = [
  // Claude Code: the tool-permission prompt ("Do you want to proceed? ❯ 1. Yes  2. No").
  {
    kind: 'permission',
    what: 'Claude Code asks to run a tool',
    all: [/Do you want to (proceed|make this edit|create)/, /^\s*(❯\s*)?1\. Yes/m],
  },
  // Claude Code: folder trust at first start in a repository, and the first bypass-mode warning.
  {
    kind: 'trust',
    what: 'Claude Code asks to trust this folder',
    all: [/Quick safety check:/, /trust this folder/],
  },
  {
    kind: 'trust',
    what: 'Claude Code asks to accept Bypass Permissions mode',
    all: [/Bypass Permissions mode/, /No, exit/, /Yes, I accept/],
  },
  // Codex: command and edit approvals, folder trust, sign-in.
  {
    kind: 'permission',
    what: 'Codex asks to run a command',
    all: [
      /Would you like to (run the following command|make the following edits)\?/,
      /Press enter to confirm/,
    ],
  },
  {
    kind: 'trust',
    what: 'Codex asks to trust this folder',
    all: [/Trust this folder\?/, /Codex can read, edit/],
  },
  { kind: 'login', what: 'Codex asks to sign in', all: [/Welcome to Codex/, /Sign in with ChatGPT/] },
  // Gemini CLI: tool confirmation, folder trust, authentication.
  {
    kind: 'permission',
    what: 'Gemini CLI asks to run a tool',
    all: [/Allow execution of/, /Allow once/],
  },
  {
    kind: 'trust',
    what: 'Gemini CLI asks to trust this folder',
    all: [/Do you trust (this|the files in this) folder\?/, /Trust (parent )?folder/],
  },
  // Gemini CLI 0.61 submits its --prompt-interactive prompt the moment a sign-in method is chosen, before
  // the sign-in is done: the turn fails ("Content generator not initialized") and the prompt is not run
  // again. So `status` says to send it once signed in (`git parallel send <task> <n> --prompt`).
  {
    kind: 'login',
    what: 'Gemini CLI asks how to sign in',
    dropsPrompt: true,
    all: [/How would you like to authenticate/, /Use Gemini API Key|Login with Google|Sign in with Google/],
  },
  {
    kind: 'login',
    what: 'Gemini CLI asks for its API key',
    dropsPrompt: true,
    all: [/Enter Gemini API Key/, /Please enter your Gemini API key/],
  },
  // opencode: the permission prompt under a tool call.
  { kind: 'permission', what: 'opencode asks for permission', all: [/Permission required/, /Allow once/] },
  // Copilot CLI: tool confirmation and folder trust.
  {
    kind: 'permission',
    what: 'Copilot asks to run a command',
    all: [/Do you want to run this command\?|Allow directory access|Do you want to (edit|create)/, /1\. Yes/],
  },
  {
    kind: 'trust',
    what: 'Copilot asks to trust this folder',
    all: [/Confirm folder trust|Do you trust the files in this folder\?/, /Yes, and remember this folder/],
  },
];

/** The dialog on an agent's screen, if one of the known ones is there. */
export function detectDialog(screen: string): ScreenDialog | null {
  for (const dialog of DIALOGS) {
    if (dialog.all.every((pattern) => pattern.test(screen))) {
      return { kind: dialog.kind, what: dialog.what, ...(dialog.dropsPrompt ? { dropsPrompt: true } : {}) };
    }
  }
  return null;
}

/**
 * The screen as `status` compares it between looks: elapsed times, token counts and spinner glyphs do
 * not count, so a counter ("Thinking… 12s", "(esc to cancel · 1m 3s)", "00:12", "↓ 1.2k tokens") or a
 * spinner that turns while the agent waits for a person is not taken for work. Any other change is.
 */
export function screenForActivity(screen: string): string {
  return screen
    .replace(/\b\d+(\.\d+)?\s?(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b/g, '#t')
    .replace(/\b\d{1,2}(:\d{2}){1,2}\b/g, '#t')
    .replace(/\b\d+(\.\d+)?k?\s?tokens\b/g, '#n tokens')
    .replace(/[⠀-⣿✻✶✳✢✽·∗*◐◓◑◒●○◉◎⏺]/g, ' ');
}

/**
 * How an agent that reports no failed turn itself draws the API error that ended one. `error` is the
 * agent's own error line, with its words in group 1; `entry` matches the first line of every entry of its
 * conversation (the user's message, the model's reply, a tool call, an error). The error counts only when
 * it is the LAST entry: a later message or reply means the agent moved on. Both are anchored at the start
 * of a line, where only the agent draws: the model's reply is drawn under the agent's own marker, its
 * further lines indented, so text the model wrote never starts a line with the error's marker.
 */
interface TurnErrorPattern {
  error: RegExp;
  entry: RegExp;
  /** The agent's input line, drawn below the conversation and like an entry: entries are read above it. */
  composer?: RegExp;
}

const TURN_ERRORS: TurnErrorPattern[] = [
  // Gemini CLI 0.61 has no hook for a failed turn: AfterAgent fires as for a finished one
  // (packages/core/src/core/client.ts, sendMessageStream), and its screen says
  //   "✕ [API Error: <the API's answer>]" then "ℹ This request failed. Press F12 for diagnostics…".
  // Entries: "> " the user's message, "✦ " the model's reply, "╭" a tool call's box, "✕ " an error.
  { error: /^✕ \[API Error: (.*?)\]?$/, entry: /^(> |✦ |╭|✕ )/ },
  // Codex 0.171 has no hook for a failed turn (`notify` fires on a finished turn only; the StopFailure hook
  // came after 0.171: codex-rs/hooks/src/events/stop_failure.rs), and its screen says "■ <the error>".
  // Entries: "› " the user's message, "• " a reply or a command, "■ " an error; "■ Conversation
  // interrupted" is the user's Esc, not an error. Its input line starts "› " too, always last.
  {
    error: /^■ (?!Conversation interrupted)(.+)$/,
    entry: /^(› |• |■ )/,
    composer: /^› /,
  },
];

/** The agent's own words for the API error that ended its last turn, if its screen shows one last. */
export function detectTurnError(screen: string): string | null {
  const lines = screen.split('\n').map((line) => line.trimEnd());
  for (const pattern of TURN_ERRORS) {
    const composer = pattern.composer ? lines.findLastIndex((line) => pattern.composer!.test(line)) : -1;
    const conversation = composer === -1 ? lines : lines.slice(0, composer);
    const last = conversation.findLast((line) => pattern.entry.test(line));
    const match = last === undefined ? null : pattern.error.exec(last);
    if (match) return match[1]!.trim().slice(0, 200) || 'API error';
  }
  return null;
}
