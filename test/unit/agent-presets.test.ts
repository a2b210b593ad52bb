import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS, PRESET_NAMES } from '../../src/core/agent-presets.js';
import type { AgentSpec, PromptMode } from '../../src/core/types.js';

const entries = Object.entries(AGENT_PRESETS);

describe('AGENT_PRESETS invariants', () => {
  it('has exactly the expected preset names', () => {
    expect([...PRESET_NAMES].sort()).toEqual(
      ['aider', 'claude', 'codex', 'copilot', 'cursor-agent', 'gemini', 'opencode', 'shell'].sort(),
    );
    expect(PRESET_NAMES).toEqual(Object.keys(AGENT_PRESETS));
  });

  it.each(entries)('%s has a non-empty command without whitespace or shell syntax', (_name, spec) => {
    expect(spec.command.trim()).not.toBe('');
    expect(spec.command).not.toMatch(/[\s$`'"]/);
  });

  it.each(entries)('%s yolo flags all start with "-"', (_name, spec) => {
    for (const flag of spec.yolo) expect(flag).toMatch(/^-/);
  });

  it.each(entries)('%s model flag, when present, starts with "-"', (_name, spec) => {
    if (spec.model !== undefined) expect(spec.model).toMatch(/^-/);
  });

  it.each(entries)('%s prompt flag, when {flag}, starts with "-"', (_name, spec) => {
    if (typeof spec.prompt === 'object') expect(spec.prompt.flag).toMatch(/^-/);
    else expect(['positional', 'none', 'stdin']).toContain(spec.prompt);
  });

  it.each(entries)('%s has array args and a string-valued env', (_name, spec) => {
    expect(Array.isArray(spec.args)).toBe(true);
    for (const value of Object.values(spec.env)) expect(typeof value).toBe('string');
  });

  it.each(entries)('%s uses no one-shot/print flag as its prompt flag', (_name, spec) => {
    // The session must stay open for follow-ups: these flags make the agents exit after one reply.
    if (typeof spec.prompt === 'object') {
      expect(['-p', '--print', '--prompt-only', '--message', '--msg', '-m']).not.toContain(spec.prompt.flag);
    }
    expect(spec.args).not.toContain('-p');
    expect(spec.args).not.toContain('exec');
    expect(spec.args).not.toContain('run');
  });
});

interface Expected {
  command: string;
  prompt: PromptMode;
  yolo: string[];
  model: string | undefined;
  args?: string[];
}

// Changing a flag is a deliberate act: update this table together with the preset and its source comment.
const EXPECTED: Record<string, Expected> = {
  claude: {
    command: 'claude',
    // Issue 9: on stdin, where a prompt such as `mcp` is not read as a subcommand.
    prompt: 'stdin',
    yolo: ['--dangerously-skip-permissions'],
    model: '--model',
  },
  codex: {
    command: 'codex',
    prompt: 'positional',
    yolo: ['--dangerously-bypass-approvals-and-sandbox'],
    model: '--model',
    // Issue 9: no shared background server, which would carry one candidate's environment for all.
    args: ['--no-daemon'],
  },
  gemini: { command: 'gemini', prompt: { flag: '--prompt-interactive' }, yolo: ['--yolo'], model: '--model' },
  opencode: { command: 'opencode', prompt: { flag: '--prompt' }, yolo: ['--auto'], model: '--model' },
  'cursor-agent': { command: 'cursor-agent', prompt: 'positional', yolo: ['--force'], model: '--model' },
  copilot: { command: 'copilot', prompt: { flag: '--interactive' }, yolo: ['--allow-all'], model: '--model' },
  aider: { command: 'aider', prompt: 'none', yolo: ['--yes-always'], model: '--model' },
  shell: { command: 'sh', prompt: 'none', yolo: [], model: undefined },
};

describe('AGENT_PRESETS explicit table', () => {
  it('covers every preset', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PRESET_NAMES].sort());
  });

  it.each(Object.entries(EXPECTED))('%s matches the verified flags', (name, { args = [], ...expected }) => {
    const spec: AgentSpec | undefined = AGENT_PRESETS[name];
    expect(spec).toBeDefined();
    expect({
      command: spec?.command,
      prompt: spec?.prompt,
      yolo: spec?.yolo,
      model: spec?.model,
    }).toEqual(expected);
    expect(spec?.args).toEqual(args);
    expect(spec?.env).toEqual({});
  });

  it('the shell preset has no model key at all', () => {
    expect(AGENT_PRESETS.shell).toBeDefined();
    expect(Object.hasOwn(AGENT_PRESETS.shell ?? {}, 'model')).toBe(false);
  });
});

// Issue 16: each preset's one-shot mode for `review`, checked against the pinned CLIs' own --help and run
// against the model stand-in in test/real-agents/review.test.ts. A deliberate change updates this table.
const ONE_SHOT: Record<string, AgentSpec['oneShot']> = {
  claude: { args: ['--print', '--tools', '', '--output-format', 'text'], prompt: 'stdin' },
  codex: {
    args: ['exec', '--sandbox', 'read-only', '--skip-git-repo-check', '--color', 'never', '-'],
    prompt: 'stdin',
  },
  gemini: {
    args: [
      '--skip-trust',
      '--output-format',
      'text',
      '--prompt=Answer with the JSON object asked for above.',
    ],
    prompt: 'stdin',
  },
  opencode: { args: ['run', '--agent', 'plan'], prompt: 'stdin' },
  copilot: {
    args: ['--silent', '--no-ask-user', '--deny-tool=write', '--deny-tool=shell'],
    prompt: { flag: '--prompt' },
  },
  // cursor-agent and aider cannot be installed here (their presets are checked against documentation
  // only), so no one-shot mode is claimed for them: they review once a user's config gives them one.
  'cursor-agent': undefined,
  aider: undefined,
  shell: undefined,
};

describe('AGENT_PRESETS one-shot modes (review)', () => {
  it('covers every preset', () => {
    expect(Object.keys(ONE_SHOT).sort()).toEqual([...PRESET_NAMES].sort());
  });

  it.each(Object.entries(ONE_SHOT))('%s one-shot mode', (name, expected) => {
    expect(AGENT_PRESETS[name]?.oneShot).toEqual(expected);
  });

  it('never gives a reviewer the flags that let it change files', () => {
    for (const spec of Object.values(AGENT_PRESETS)) {
      for (const flag of spec.oneShot?.args ?? []) {
        expect(spec.yolo).not.toContain(flag);
        expect(flag).not.toMatch(/dangerously|--full-auto|--allow-all|--yolo|--auto$/);
      }
    }
  });
});
