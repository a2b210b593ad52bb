import type { HookEvent } from './agent-state.js';
import { isPlainObject } from './config-shape.js';

/**
 * The files and arguments that carry git-parallel's status hooks into each agent, as text (issue 9):
 * Claude Code's and Gemini CLI's settings merged with our hooks, opencode's plugin, Copilot CLI's hooks
 * file and Codex's `-c notify=[…]`. Pure: io/agent-hooks.ts reads the existing files, writes these and
 * hides them from git.
 */

/** Our own hook commands (`… hook-event <task> <n> <state> …`), replaced when the hooks are installed again. */
const OUR_HOOK = / hook-event \S+ \S+ (waiting|done|working|failed) /;

export type EventArgvs = Record<HookEvent['event'], string[]>;

/** Why an agent's settings file cannot take our hooks, as words that follow its name. */
export interface NotMergeable {
  problem: string;
}

/**
 * Source text of opencode's plugin, not code of ours: opencode loads it and runs it in its own process,
 * where `spawn` starts our `hook-event` command. git-parallel itself starts nothing here; its programs go
 * through io/exec.ts.
 */
const REPORT_FUNCTION = (events: EventArgvs) => `const events = ${JSON.stringify(events)};
function report(event, payload) {
  const [program, ...args] = events[event];
  const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  child.stdin.end(payload ? JSON.stringify(payload) : '');
}`;

/**
 * opencode: a plugin in the worktree's `.opencode/plugins/` (opencode loads `{plugin,plugins}/*.{ts,js}`
 * of the project's `.opencode`), whose `event` hook sees every bus event: permission.asked → waiting,
 * permission.replied → working, session.idle → done, an error → failed: session.error, or the assistant
 * message whose `error` is set (message.updated; the reply the error ended). opencode ends a turn that
 * failed with the error AND then session.idle: the idle that follows an error is not reported, or
 * `done` would cover `failed`. An interrupted turn (the user pressed Esc) is a session.error too, named
 * MessageAbortedError: that one is no failure. The error's own words (`error.data.message`) go to the hook
 * on its stdin. Source: opencode's plugin docs (packages/web/src/content/docs/plugins.mdx, "Events") and
 * the events of opencode 1.18 (session.error carries `{ sessionID, error: { name, data: { message } } }`).
 */
export function opencodePlugin(events: EventArgvs): string {
  return `// Written by git-parallel: reports this agent's state to \`git parallel status\` (this worktree only).
import { spawn } from 'node:child_process';
${REPORT_FUNCTION(events)}
const ON = {
  'permission.asked': 'waiting',
  'permission.replied': 'working',
  'session.idle': 'done',
};
let failed = false;
export const GitParallelStatus = async () => ({
  event: async ({ event }) => {
    // A new turn starts busy: whatever failed before, its idle is reported again.
    if (event.type === 'session.status' && event.properties?.status?.type === 'busy') failed = false;
    // The error that ended a turn: on the session, or on the reply it ended (opencode 1.18 draws that one).
    const error =
      event.type === 'session.error'
        ? event.properties?.error
        : event.type === 'message.updated' && event.properties?.info?.role === 'assistant'
          ? event.properties.info.error
          : undefined;
    if (error) {
      if (error.name === 'MessageAbortedError' || failed) return;
      failed = true;
      report('failed', { error: String(error.data?.message ?? error.name ?? 'unknown error') });
      return;
    }
    if (event.type === 'session.idle' && failed) {
      failed = false;
      return;
    }
    const state = ON[event.type];
    if (state) report(state);
  },
});
`;
}

/**
 * Copilot CLI: a hooks file of its own in the worktree's `.github/hooks/` (Copilot loads
 * `.github/hooks/*.json` from the folder it runs in): permissionRequest → waiting, userPromptSubmitted
 * and postToolUse (the user answered, the tool ran) → working, agentStop → done, errorOccurred → failed.
 * `bash` is run by a shell. Source: docs.github.com "GitHub Copilot CLI hooks reference" and the events
 * that Copilot 1.0.102 fires in the real-agent suite.
 */
export function copilotHooks(commands: Record<HookEvent['event'], string>): string {
  const hook = (command: string) => [{ type: 'command', bash: command, timeoutSec: 10 }];
  const hooks = {
    permissionRequest: hook(commands.waiting),
    userPromptSubmitted: hook(commands.working),
    postToolUse: hook(commands.working),
    agentStop: hook(commands.done),
    errorOccurred: hook(commands.failed),
  };
  return `${JSON.stringify({ version: 1, hooks }, null, 2)}\n`;
}

/** `-c notify=[…]`: the value is TOML, an array of basic strings. */
export function codexNotifyArgs(argv: string[]): string[] {
  return ['-c', `notify=[${argv.map(tomlString).join(', ')}]`];
}

/**
 * Claude Code settings with our hooks added: Notification → waiting, Stop → done (the turn ended),
 * UserPromptSubmit → working (a new message clears both), StopFailure → failed (an API error ended it). Our previous entries are replaced,
 * everything else is kept. A NotMergeable when the existing file is not a JSON object (left alone).
 */
export function withClaudeHooks(
  existing: string | null,
  commands: { waiting: string; done: string; working: string; failed?: string },
  options: { acceptBypassMode?: boolean } = {},
): string | NotMergeable {
  const ours: [string, string][] = [
    ['Notification', commands.waiting],
    ['Stop', commands.done],
    ['UserPromptSubmit', commands.working],
    ...(commands.failed ? ([['StopFailure', commands.failed]] as [string, string][]) : []),
  ];
  return withCommandHooks(
    existing,
    ours,
    options.acceptBypassMode ? { skipDangerousModePermissionPrompt: true } : {},
  );
}

/**
 * Gemini CLI settings (`.gemini/settings.json`, the project's own) with our hooks: Notification (it
 * fires for a tool-permission request) → waiting, AfterAgent (the turn ended) → done, BeforeAgent (a
 * new message) → working. Gemini's hooks have Claude Code's shape (`hooks.<Event>[].hooks[]` of
 * `{ type: "command", command }`) and are on by default (`hooksConfig.enabled`). Project hooks run
 * only in a folder the user trusts. Source: google-gemini/gemini-cli packages/core/src/hooks/types.ts
 * (HookEventName) and packages/cli/src/config/settingsSchema.ts (hooksConfig).
 */
export function withGeminiHooks(
  existing: string | null,
  commands: { waiting: string; done: string; working: string },
): string | NotMergeable {
  return withCommandHooks(existing, [
    ['Notification', commands.waiting],
    ['AfterAgent', commands.done],
    ['BeforeAgent', commands.working],
  ]);
}

/**
 * A settings file with our command hooks added, Claude Code's shape. Our previous entries are replaced,
 * everything else is kept. A NotMergeable when the existing file is not a JSON object (left alone).
 */
function withCommandHooks(
  existing: string | null,
  ours: [string, string][],
  extra: Record<string, unknown> = {},
): string | NotMergeable {
  let settings: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      // One line: newer V8 messages quote the text, which may hold line breaks.
      return { problem: `is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})` };
    }
    if (!isPlainObject(parsed)) return { problem: 'does not hold a JSON object' };
    settings = parsed;
  }
  const hooks: Record<string, unknown> = isPlainObject(settings.hooks) ? { ...settings.hooks } : {};
  for (const [event, command] of ours) {
    const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    const kept = groups
      .map((group) => {
        if (!isPlainObject(group) || !Array.isArray(group.hooks)) return group;
        const others = group.hooks.filter(
          (h) => !(isPlainObject(h) && typeof h.command === 'string' && OUR_HOOK.test(`${h.command} `)),
        );
        return others.length === group.hooks.length
          ? group
          : others.length === 0
            ? null
            : { ...group, hooks: others };
      })
      .filter((group) => group !== null);
    hooks[event] = [...kept, { hooks: [{ type: 'command', command }] }];
  }
  return `${JSON.stringify({ ...settings, ...extra, hooks }, null, 2)}\n`;
}

/** A TOML basic string: JSON's escapes are TOML's, except that DEL must be escaped too. */
function tomlString(value: string): string {
  return JSON.stringify(value).replaceAll('\x7f', '\\u007f');
}
