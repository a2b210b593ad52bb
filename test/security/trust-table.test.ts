import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, DEFAULT_CONFIG } from '../../src/config/schema.js';
import type { Config } from '../../src/core/config-shape.js';
import { parseTmuxLayout } from '../../src/core/tmux-layout.js';
import { repositoryCommands, runUsesRepositoryCommands } from '../../src/core/trust.js';

/**
 * The README's Trust table, key by key: every config key is in it, and for each key a value the table
 * allows needs no approval, a value that needs approval is among what `git parallel trust` lists (and
 * stops a run), and a refused value is refused by the config check or the layout parser.
 */
const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
const table = readme
  .slice(readme.indexOf('| key (repository config) |'))
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .slice(2);
const rowKeys = table.map((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));

type Case = { allowed?: Partial<Config>[]; approval?: [Partial<Config>, string][]; refused?: unknown[] };

const CASES: Record<keyof Config, Case> = {
  agent: { allowed: [{ agent: 'codex' }] },
  lineup: { allowed: [{ lineup: 'claude:2,codex:1' }, { lineup: 3 }] },
  agents: {
    approval: [
      [
        { agents: { mine: { command: 'x', args: [], prompt: 'positional', yolo: [], env: {} } } },
        'agents.mine',
      ],
    ],
  },
  yolo: { allowed: [{ yolo: false }], approval: [[{ yolo: true }, 'yolo']] },
  sandbox: { allowed: [{ sandbox: true }, { sandbox: false }] },
  model: { approval: [[{ model: 'opus' }, 'model']] },
  layout: {
    allowed: [{ layout: 'tiled' }, { layout: 'columns' }, { layout: 'layouts/mine.tmux' }],
    approval: [[{ layout: 'layouts/mine.kdl' }, 'layout']],
  },
  worktreeDir: {
    allowed: [{ worktreeDir: '../{repo}-worktrees/{task}-{n}' }, { worktreeDir: '.worktrees/{task}-{n}' }],
    approval: [
      [{ worktreeDir: '../../x/{task}-{n}' }, 'worktreeDir'],
      [{ worktreeDir: '/abs/{n}' }, 'worktreeDir'],
      [{ worktreeDir: '~/x/{n}' }, 'worktreeDir'],
    ],
  },
  branch: { allowed: [{ branch: 'agents/{task}-{n}' }] },
  ports: {
    allowed: [{ ports: { PORT: 3000, API_PORT: 8000, VITE_PORT: 5173 } }],
    refused: [
      'BASH_ENV',
      'ENV',
      'PATH',
      'NODE_OPTIONS',
      'LD_PRELOAD',
      'GIT_PORT',
      'DYLD_PORT',
      'SSH_PORT',
    ].map((name) => ({ ports: { [name]: 8000 } })),
  },
  portSpan: { allowed: [{ portSpan: 50 }] },
  mux: { allowed: [{ mux: 'none' }, { mux: 'tmux' }] },
  checkTimeout: { allowed: [{ checkTimeout: 5 }] },
  idleSeconds: { allowed: [{ idleSeconds: 5 }] },
  setupTimeout: { allowed: [{ setupTimeout: 5 }] },
  copy: { allowed: [{ copy: ['.env'] }], refused: [{ copy: 7 }] },
  link: { allowed: [{ link: ['.cache/models'] }] },
  envFile: { allowed: [{ envFile: '.env.local' }] },
  database: {
    allowed: [
      {
        database: {
          sqlite: ['data/dev.db'],
          postgres: { url: 'postgres://localhost/app_dev', env: 'DATABASE_URL' },
        },
      },
    ],
    refused: [
      { database: { postgres: { url: 'postgres://x/y', env: 'PATH' } } },
      { database: { postgres: { url: 'postgres://x/y', env: 'NODE_OPTIONS' } } },
    ],
  },
  deps: { allowed: [{ deps: 'auto' }, { deps: 'install' }, { deps: 'none' }] },
  setup: { approval: [[{ setup: ['npm run build'] }, 'setup[0]']] },
  hooks: {
    approval: [
      [{ hooks: { postCreate: 'a' } }, 'hooks.postCreate[0]'],
      [{ hooks: { preRemove: ['b'] } }, 'hooks.preRemove[0]'],
      [{ hooks: { postRemove: 'c' } }, 'hooks.postRemove[0]'],
    ],
  },
  check: { approval: [[{ check: 'npm test' }, 'check']] },
};

describe('the README Trust table', () => {
  it('names every config key, and lifecycle scripts', () => {
    const named = new Set(rowKeys.flat().map((key) => key.split('.')[0]!));
    for (const key of Object.keys(DEFAULT_CONFIG)) expect(named, key).toContain(key);
    expect(readme).toContain('`package.json` lifecycle scripts');
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
  });

  for (const [key, cases] of Object.entries(CASES) as [keyof Config, Case][]) {
    const row = table[rowKeys.findIndex((keys) => keys.some((k) => k.split('.')[0] === key))]!;
    const [, , allowedCell = '', approvalCell = '', refusedCell = ''] = row.split('|').map((c) => c.trim());

    it(`${key}: as the table says`, () => {
      for (const layer of cases.allowed ?? []) {
        expect(checkConfig(layer), JSON.stringify(layer)).toEqual([]);
        expect(repositoryCommands(layer, []), JSON.stringify(layer)).toEqual([]);
        expect(runUsesRepositoryCommands(layer, [])).toBe(false);
      }
      if (cases.allowed) expect(allowedCell, key).not.toBe('');
      for (const [layer, listed] of cases.approval ?? []) {
        expect(
          repositoryCommands(layer, []).map((c) => c.key),
          JSON.stringify(layer),
        ).toContain(listed);
        // check is asked for by compare; agents only when the line-up uses them.
        if (key !== 'check')
          expect(runUsesRepositoryCommands(layer, Object.keys(layer.agents ?? {}))).toBe(true);
      }
      if (cases.approval) expect(approvalCell, key).not.toBe('');
      else expect(approvalCell === '' || ['agent', 'lineup', 'deps'].includes(key), key).toBe(true);
      for (const layer of cases.refused ?? [])
        expect(checkConfig(layer), JSON.stringify(layer)).not.toEqual([]);
      if (cases.refused) expect(refusedCell, key).not.toBe('');
    });
  }

  it('layout: what a tmux template may not hold, line by line', () => {
    for (const line of [
      'option pane-border-format "#(id)"',
      'option pane-focus-in "run-shell id"',
      'option status-format "x run-shell y"',
      'option after-new-window "x"',
      'option default-command id',
      'option default-shell /bin/evil',
      'option lock-command id',
    ])
      expect(() => parseTmuxLayout(`${line}\n`, 't.tmux', { task: 't', session: 's' }), line).toThrow();
  });
});
