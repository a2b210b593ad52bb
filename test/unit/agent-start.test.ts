import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSideTurn, messageOf } from '../../src/actions/hook-event.js';
import { agentStartProblem, withPrompt } from '../../src/core/agent-command.js';
import { codexNotifyArgs, withClaudeHooks } from '../../src/core/agent-hook-files.js';
import { AGENT_PRESETS } from '../../src/core/agent-presets.js';
import { detectDialog, detectTurnError, screenForActivity } from '../../src/core/agent-screens.js';
import type { Candidate } from '../../src/core/types.js';
import { installAgentHooks } from '../../src/io/agent-hooks.js';

/** Issue 9: prompts in each agent's own syntax, what agents refuse, and what their screens say. */
describe('withPrompt', () => {
  it.each([
    ['positional', ['claude', '--', '--fix "it" $HOME\nnow']],
    [{ flag: '--prompt-interactive' }, ['claude', '--prompt-interactive=--fix "it" $HOME\nnow']],
    [{ flag: '-i' }, ['claude', '-i', '--fix "it" $HOME\nnow']],
    ['stdin', ['claude']],
    ['none', ['claude']],
  ] as const)('%j', (mode, expected) => {
    expect(withPrompt(['claude'], mode, '--fix "it" $HOME\nnow')).toEqual(expected);
  });
});

describe('agentStartProblem', () => {
  const claude = AGENT_PRESETS.claude!;
  const facts = { prompt: 'go', yolo: true, root: true, env: {}, sandbox: false };
  it('refuses claude --yolo as root, outside a sandbox only', () => {
    expect(agentStartProblem('claude', claude, facts)).toBe(
      'claude refuses its skip-permission flag (--dangerously-skip-permissions) as root: run without --yolo, or with --sandbox',
    );
    expect(agentStartProblem('claude', claude, { ...facts, root: false })).toBeNull();
    expect(agentStartProblem('claude', claude, { ...facts, yolo: false })).toBeNull();
    expect(agentStartProblem('claude', claude, { ...facts, env: { IS_SANDBOX: '1' } })).toBeNull();
    expect(agentStartProblem('claude', claude, { ...facts, sandbox: true })).toBeNull();
    expect(agentStartProblem('codex', AGENT_PRESETS.codex!, facts)).toBeNull();
  });
  it('refuses a subcommand-name prompt only where claude would read it from its argv', () => {
    // The preset gives Claude the prompt on stdin, where no word is a subcommand (issue 9).
    expect(agentStartProblem('claude', claude, { ...facts, yolo: false, prompt: 'mcp' })).toBeNull();
    // A user's own definition that runs `claude` with the prompt as an argument.
    const positional = { ...claude, prompt: 'positional' as const };
    const ask = (prompt: string) => agentStartProblem('mine', positional, { ...facts, yolo: false, prompt });
    expect(ask('mcp')).toBe(
      'mine reads the prompt "mcp" as its subcommand of that name; say more in the prompt',
    );
    expect(ask('mcp servers')).toBeNull();
    expect(agentStartProblem('codex', AGENT_PRESETS.codex!, { ...facts, prompt: 'mcp' })).toBeNull();
  });
});

describe('detectTurnError', () => {
  // Gemini CLI 0.61's screen after a turn that a 400 ended, as the real-agent suite saw it.
  const failed = [
    '> go',
    '',
    '✕ [API Error: {"type":"error","error":{"message":"refused","code":400}}]',
    '',
    'ℹ This request failed. Press F12 for diagnostics, or run /settings and change "Error Verbosity"',
    ' >   Type your message or @path/to/file',
  ].join('\n');
  it("reads Gemini's own error line when it is the last entry of the conversation", () => {
    expect(detectTurnError(failed)).toBe('{"type":"error","error":{"message":"refused","code":400}}');
  });
  it('ignores an error that a later message or reply follows', () => {
    expect(detectTurnError(`${failed}\n> again\n\n✦ Recorded the environment. Done.`)).toBeNull();
    expect(detectTurnError(`${failed}\n> again`)).toBeNull();
  });
  it('is not fooled by the model or the user writing the error line', () => {
    expect(detectTurnError('> go\n✦ Here it is:\n  ✕ [API Error: made up]')).toBeNull();
    expect(detectTurnError('✦ Sure.\n> ✕ [API Error: typed by the user]')).toBeNull();
    expect(detectTurnError('✦ All done. ✕ [API Error: quoted]')).toBeNull();
  });
});

describe('detectTurnError: Codex', () => {
  // Codex 0.171's screen after a turn that a 400 ended, as the real-agent suite saw it.
  const failed = [
    '› go',
    '■ {"type":"error","error":{"message":"refused","code":400}}',
    '› Ask Codex to do anything',
    '  gpt-4.1 default · /tmp/app-worktrees/e-1',
  ].join('\n');
  it('reads its error line above its input line', () => {
    expect(detectTurnError(failed)).toBe('{"type":"error","error":{"message":"refused","code":400}}');
  });
  it('ignores an error a later message follows, an interrupt, and the model writing the line', () => {
    expect(detectTurnError(failed.replace('› Ask', '› again\n• Working (2s)\n› Ask'))).toBeNull();
    expect(detectTurnError('› go\n■ Conversation interrupted - tell the model what to do\n› Ask')).toBeNull();
    expect(detectTurnError('› go\n• Here:\n  ■ made up\n› Ask Codex to do anything')).toBeNull();
  });
});

describe('detectDialog', () => {
  it.each([
    [' Do you want to proceed?\n ❯ 1. Yes\n   2. No', 'permission'],
    [
      '  Would you like to run the following command?\n› 1. Yes, proceed (y)\n  Press enter to confirm or esc to cancel',
      'permission',
    ],
    [
      'Quick safety check: Is this a project you created or one you trust?\n ❯ 1. Yes, I trust this folder',
      'trust',
    ],
    ['  Welcome to Codex\n> 1. Sign in with ChatGPT', 'login'],
  ])('%j is a %s dialog', (screen, kind) => {
    expect(detectDialog(screen)?.kind).toBe(kind);
  });
  it("Gemini's two sign-in screens are login dialogs that drop the prompt; other dialogs keep it", () => {
    expect(
      detectDialog(
        'How would you like to authenticate for this project?\n  1. Sign in with Google\n● 2. Use Gemini API Key',
      ),
    ).toEqual({ kind: 'login', what: 'Gemini CLI asks how to sign in', dropsPrompt: true });
    expect(
      detectDialog('│ Enter Gemini API Key\n│ Please enter your Gemini API key. It will be securely stored'),
    ).toEqual({ kind: 'login', what: 'Gemini CLI asks for its API key', dropsPrompt: true });
    expect(detectDialog(' Do you want to proceed?\n ❯ 1. Yes\n   2. No')).toEqual({
      kind: 'permission',
      what: 'Claude Code asks to run a tool',
    });
  });
  it('is not fooled by the words alone', () => {
    expect(detectDialog('❯ Do you want to proceed? is what I will ask')).toBeNull();
    expect(detectDialog('● Recorded the environment. Done.\n❯ ')).toBeNull();
  });
});

describe('screenForActivity', () => {
  it('ignores a ticking timer and a turning spinner, not new text', () => {
    expect(screenForActivity('⠋ Working (12s · esc to interrupt)')).toBe(
      screenForActivity('⠙ Working (13s · esc to interrupt)'),
    );
    expect(screenForActivity('Working')).not.toBe(screenForActivity('Worked'));
  });
});

describe('hooks', () => {
  it('Claude: StopFailure reports failed; bypass mode is accepted only with --yolo', () => {
    const commands = { waiting: 'w', done: 'd', working: 'k', failed: 'f' };
    const plain = JSON.parse(withClaudeHooks(null, commands) as string);
    expect(plain.hooks.StopFailure).toEqual([{ hooks: [{ type: 'command', command: 'f' }] }]);
    expect(plain.skipDangerousModePermissionPrompt).toBeUndefined();
    const yolo = JSON.parse(withClaudeHooks(null, commands, { acceptBypassMode: true }) as string);
    expect(yolo.skipDangerousModePermissionPrompt).toBe(true);
  });
  it("an agent's own settings file that is not a JSON object is left as it is, with one line naming it", async () => {
    const worktree = mkdtempSync(path.join(tmpdir(), 'gp-hooks-'));
    try {
      for (const [agent, file] of [
        ['claude', '.claude/settings.local.json'],
        ['gemini', '.gemini/settings.json'],
      ] as const) {
        for (const text of ['{"permissions": {"allow": [', '["not", "settings"]']) {
          mkdirSync(path.dirname(path.join(worktree, file)), { recursive: true });
          writeFileSync(path.join(worktree, file), text);
          const candidate = { n: 1, worktree, command: [agent] } as Candidate;
          const error = await installAgentHooks(candidate, 't', '/state').then(
            () => null,
            (e: unknown) => e as Error,
          );
          expect(error?.message).toMatch(
            new RegExp(
              `^${path.join(worktree, file)} (is not valid JSON \\(.+\\)|does not hold a JSON object); it is left as it is`,
            ),
          );
          expect(error?.message).not.toContain('\n');
          expect(readFileSync(path.join(worktree, file), 'utf8')).toBe(text);
          expect(existsSync(path.join(path.dirname(path.join(worktree, file)), '.gitignore'))).toBe(false);
        }
      }
    } finally {
      rmSync(worktree, { recursive: true, force: true });
    }
  });

  it('Codex: notify goes on the command line as TOML', () => {
    expect(codexNotifyArgs(['/usr/bin/node', 'a "b"', 'done'])).toEqual([
      '-c',
      'notify=["/usr/bin/node", "a \\"b\\"", "done"]',
    ]);
  });
  it("Codex: the session-title thread's finished turn is not the agent's", () => {
    const title = {
      type: 'agent-turn-complete',
      'input-messages': ['Generate a concise, single-line task title of at most 36 characters…'],
    };
    expect(isSideTurn(JSON.stringify(title))).toBe(true);
    expect(isSideTurn(JSON.stringify({ type: 'agent-turn-complete', 'input-messages': ['mcp'] }))).toBe(
      false,
    );
    expect(isSideTurn('')).toBe(false);
  });
});

describe('screenForActivity: output that is not a timer still counts', () => {
  it.each([
    ['tick 5', 'tick 6'],
    ['Compiling 3 of 9', 'Compiling 4 of 9'],
  ])('%j → %j', (before, after) => {
    expect(screenForActivity(before)).not.toBe(screenForActivity(after));
  });
  it.each([
    ['Thinking (Esc to cancel · 1m 3s)', 'Thinking (Esc to cancel · 1m 4s)'],
    ['elapsed 00:12', 'elapsed 00:13'],
    ['✻ Brewing… (3s · ↓ 120 tokens)', '✶ Brewing… (4s · ↓ 1.2k tokens)'],
  ])('%j = %j', (before, after) => {
    expect(screenForActivity(before)).toBe(screenForActivity(after));
  });
});

describe('agent setup files', () => {
  it('Codex trusts the repository only with trust_level "trusted" in its own section', async () => {
    const { codexTrusts } = await import('../../src/io/agent-setup.js');
    const config =
      'model = "x"\n[projects."/r/app"]\ntrust_level = "trusted"\n[projects."/r/other"]\ntrust_level = "untrusted"\n';
    expect(codexTrusts(config, '/r/app')).toBe(true);
    expect(codexTrusts(config, '/r/other')).toBe(false);
    expect(codexTrusts(config, '/r')).toBe(false);
  });
  it('Gemini trusts a folder inside a trusted one, or inside the parent of a TRUST_PARENT entry', async () => {
    const { geminiTrusts } = await import('../../src/io/agent-setup.js');
    expect(geminiTrusts({ '/r/app-worktrees': 'TRUST_FOLDER' }, '/r/app-worktrees')).toBe(true);
    expect(geminiTrusts({ '/r/app-worktrees/t-1': 'TRUST_PARENT' }, '/r/app-worktrees')).toBe(true);
    expect(geminiTrusts({ '/r/app': 'TRUST_FOLDER' }, '/r/app-worktrees')).toBe(false);
    expect(geminiTrusts({ '/r': 'DO_NOT_TRUST' }, '/r/app-worktrees')).toBe(false);
  });
});

describe('messageOf: the reason a hook payload gives', () => {
  it.each([
    [
      'Claude Notification',
      { message: 'Claude needs your permission to use Bash' },
      'Claude needs your permission to use Bash',
    ],
    [
      'Claude StopFailure',
      { error: 'rate_limit', error_details: '429 Too Many Requests' },
      '429 Too Many Requests',
    ],
    [
      'Copilot errorOccurred',
      { error: { name: 'CAPIError', message: '400 invalid_request_error' } },
      '400 invalid_request_error',
    ],
    ['no reason', { session_id: 'x' }, undefined],
  ])('%s', (_name, payload, reason) => {
    expect(messageOf(JSON.stringify(payload))).toBe(reason);
  });
  it('is empty for no payload or text that is not JSON', () => {
    expect(messageOf('')).toBeUndefined();
    expect(messageOf('not json')).toBeUndefined();
  });
});
