import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config-shape.js';
import {
  commandsHash,
  repositoryCommands,
  repositorySettings,
  runUsesRepositoryCommands,
  worktreeDirLeavesParent,
} from '../../src/core/trust.js';

const layer: Partial<Config> = {
  setup: ['npm ci', 'npm run build'],
  hooks: { postCreate: 'neonctl branches create', preRemove: ['a', 'b'] },
  agents: {
    mine: { command: 'my-agent', args: ['--fast'], prompt: 'positional', yolo: [], env: { TOKEN_FILE: 'x' } },
    claude: { command: 'evil', args: [], prompt: 'positional', yolo: [], env: {} },
  },
  check: 'npm test',
  ports: { PORT: 3000 },
};

describe('trust: what a repository config would run', () => {
  it('lists setup, hooks, agents (flagging redefined presets) and check', () => {
    expect(repositoryCommands(layer, ['claude', 'codex'])).toEqual([
      { key: 'setup[0]', command: 'npm ci' },
      { key: 'setup[1]', command: 'npm run build' },
      { key: 'hooks.postCreate[0]', command: 'neonctl branches create' },
      { key: 'hooks.preRemove[0]', command: 'a' },
      { key: 'hooks.preRemove[1]', command: 'b' },
      { key: 'agents.claude', command: 'evil', note: 'redefines the built-in agent claude' },
      { key: 'agents.mine', command: 'my-agent --fast  (env: TOKEN_FILE=x)' },
      { key: 'check', command: 'npm test' },
    ]);
    expect(repositoryCommands(null, [])).toEqual([]);
    expect(repositoryCommands({ ports: { PORT: 1 } }, [])).toEqual([]);
  });

  it('hashes the commands only, in a stable way: key order and non-command settings do not matter', () => {
    const reordered: Partial<Config> = {
      check: 'npm test',
      agents: {
        claude: layer.agents!.claude!,
        mine: {
          env: { TOKEN_FILE: 'x' },
          yolo: [],
          prompt: 'positional',
          args: ['--fast'],
          command: 'my-agent',
        },
      },
      hooks: { preRemove: ['a', 'b'], postCreate: ['neonctl branches create'] },
      setup: ['npm ci', 'npm run build'],
      ports: { PORT: 9999 },
    };
    expect(commandsHash(reordered)).toBe(commandsHash(layer));
    expect(commandsHash(layer)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a setup command', { ...layer, setup: ['npm ci', 'npm run build && curl evil'] }],
    ['setup order', { ...layer, setup: ['npm run build', 'npm ci'] }],
    ['a hook', { ...layer, hooks: { ...layer.hooks, postRemove: 'rm -rf ~' } }],
    [
      'an agent argument',
      { ...layer, agents: { ...layer.agents, mine: { ...layer.agents!.mine!, args: ['--slow'] } } },
    ],
    [
      'an agent variable',
      {
        ...layer,
        agents: { ...layer.agents, mine: { ...layer.agents!.mine!, env: { NODE_OPTIONS: '--require x' } } },
      },
    ],
    ['the check', { ...layer, check: 'npm test; curl evil' }],
  ])('changes when %s changes, so approval is asked again', (_what, changed) => {
    expect(commandsHash(changed as Partial<Config>)).not.toBe(commandsHash(layer));
  });

  it('says whether a run uses any repository command', () => {
    expect(runUsesRepositoryCommands(null, ['claude'])).toBe(false);
    expect(runUsesRepositoryCommands({ ports: { PORT: 1 } }, ['claude'])).toBe(false);
    expect(runUsesRepositoryCommands({ setup: ['x'] }, ['claude'])).toBe(true);
    expect(runUsesRepositoryCommands({ hooks: { postRemove: 'x' } }, ['claude'])).toBe(true);
    expect(runUsesRepositoryCommands({ agents: layer.agents }, ['codex'])).toBe(false);
    expect(runUsesRepositoryCommands({ agents: layer.agents }, ['claude'])).toBe(true);
    expect(runUsesRepositoryCommands({ check: 'npm test' }, ['claude'])).toBe(false);
  });
});

describe('trust: settings that need approval (issue 13 item 4)', () => {
  it.each([
    ['../{repo}-worktrees/{task}-{n}', false],
    ['.worktrees/{task}-{n}', false],
    ['./wt/{task}-{n}', false],
    ['../../elsewhere/{task}-{n}', true],
    ['wt/../../x/{n}', true],
    ['/tmp/{task}-{n}', true],
    ['~/wt/{task}-{n}', true],
    ['../other/.git/hooks/{n}', true],
  ])('worktreeDir %s leaves the parent folder: %s', (pattern, leaves) => {
    expect(worktreeDirLeavesParent(pattern)).toBe(leaves);
  });
  it('lists yolo, model and a Zellij layout, and hashes them', () => {
    expect(repositorySettings({ yolo: true, model: 'm', layout: 'x.kdl', worktreeDir: '/abs/{n}' })).toEqual([
      { key: 'yolo', command: 'true (agents start with their skip-permission flags)' },
      { key: 'model', command: 'm' },
      { key: 'layout', command: 'x.kdl (a Zellij layout; its panes can run programs)' },
      { key: 'worktreeDir', command: '/abs/{n} (outside the folder that holds the repository)' },
    ]);
    expect(repositorySettings({ yolo: false, layout: 'tiled' })).toEqual([]);
    expect(commandsHash({ model: 'a' })).not.toBe(commandsHash({ model: 'b' }));
    expect(commandsHash({ yolo: true })).not.toBe(commandsHash({}));
    expect(runUsesRepositoryCommands({ yolo: true }, [])).toBe(true);
  });
});
