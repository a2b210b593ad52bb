import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS } from '../../src/core/agent-presets.js';
import { chooseDeps, type DepsFacts } from '../../src/core/deps-method.js';
import { draftCandidates } from '../../src/core/plan.js';
import { type PreparationFacts, planPreparation } from '../../src/core/preparation-plan.js';
import { declaredRunArgs, RUN_OPTIONS } from '../../src/core/run-options.js';
import { planRun, type RunFacts } from '../../src/core/run-plan.js';
import { planRepo, planRequest } from '../helpers/run-request.js';

const repo = planRepo;
const request = planRequest('claude:1,codex:1');
const npmChoice = {
  name: 'npm' as const,
  lockfile: 'package-lock.json',
  install: 'npm ci',
  installWithoutScripts: 'npm ci --ignore-scripts',
};
const preparation: PreparationFacts = {
  notes: [],
  files: { entries: [{ path: '.env', isDir: false, how: 'copy' }], warnings: [] },
  envFile: '.env.local',
  deps: { method: 'hardlink', reason: 'hard links; this file system cannot clone', choice: npmChoice },
  sqlite: [],
  postgres: null,
  postCreate: [],
  setup: ['npm run db:migrate'],
  removal: { preRemove: [], postRemove: [] },
  timeoutMs: 600_000,
  installScripts: false,
  baseScriptsDiffer: false,
};

function facts(change: Partial<RunFacts> = {}): RunFacts {
  const req = change.request ?? request;
  return {
    request: req,
    repo,
    agents: AGENT_PRESETS,
    drafts: draftCandidates(req, repo, AGENT_PRESETS),
    base: { commit: 'a'.repeat(40), ref: 'main' },
    prompt: 'Add login',
    issue: null,
    sandbox: false,
    root: false,
    env: {},
    conflicts: {
      existingBranches: new Set(),
      existingPaths: new Set(),
      executables: { claude: '/bin/claude', codex: '/bin/codex' },
      runExists: false,
      sessionExists: false,
      session: 'app-auth',
    },
    slots: [7, 12],
    mux: { kind: 'tmux', session: 'app-auth', layout: 'tiled' },
    stateDir: '/src/app/.git/parallel/auth',
    promptFile: '/src/app/.git/parallel/auth/prompt.md',
    launcher: ['/bin/sh', '-c', 'script', 'git-parallel', '/node', '/gp.js'],
    preparation,
    now: new Date('2026-01-01T00:00:00Z'),
    ...change,
  };
}

describe('planRun', () => {
  it('holds the whole run: worktrees, branches, ports, each command with its prompt, preparation, panes', () => {
    const plan = planRun(facts());
    expect(plan.manifest.candidates.map((c) => [c.name, c.branch, c.worktree, c.slot, c.ports.PORT])).toEqual(
      [
        ['auth-1', 'auth-1', '/src/app-worktrees/auth-1', 7, 4007],
        ['auth-2', 'auth-2', '/src/app-worktrees/auth-2', 12, 4012],
      ],
    );
    expect(plan.starts.map((s) => [s.name, s.argv.at(-1), s.prompt])).toEqual([
      ['auth-1', '/bin/claude', 'stdin'],
      ['auth-2', 'Add login', 'argument'],
    ]);
    expect(plan.starts[1]!.argv.slice(0, 1).concat(plan.starts[1]!.argv.slice(-2))).toEqual([
      '/bin/codex',
      '--',
      'Add login',
    ]);
    expect(plan.preparation).toMatchObject({
      files: [{ path: '.env', how: 'copy' }],
      envFile: '.env.local',
      deps: { method: 'hardlink', install: 'npm ci --ignore-scripts' },
      setup: ['npm run db:migrate'],
    });
    expect(plan.session?.panes.map((p) => [p.title, p.cwd, p.argv.slice(-3)])).toEqual([
      ['auth-1 · claude · :4007', '/src/app-worktrees/auth-1', ['auth', '1', '/src/app/.git/parallel/auth']],
      ['auth-2 · codex · :4012', '/src/app-worktrees/auth-2', ['auth', '2', '/src/app/.git/parallel/auth']],
    ]);
    expect(plan.manifest.promptFile).toBe('/src/app/.git/parallel/auth/prompt.md');
    expect(plan.warnings).toEqual([]);
  });

  it.each<[string, Partial<RunFacts>, (plan: ReturnType<typeof planRun>) => unknown, unknown]>([
    [
      'no multiplexer: no session',
      { mux: { kind: 'none', session: null, layout: 'tiled' } },
      (p) => p.session,
      null,
    ],
    [
      'no prompt: no prompt file, none passed',
      { prompt: null },
      (p) => [p.manifest.promptFile, p.starts[0]!.prompt],
      [null, 'none'],
    ],
    ['a sandbox is recorded', { sandbox: true }, (p) => p.manifest.sandbox, true],
    [
      'an agent without a model flag or a prompt is warned about',
      { request: { ...request, lineup: 'shell:1', model: 'm' } },
      (p) => p.warnings,
      [
        'shell has no model flag; --model is not passed to it',
        'shell takes no prompt; it starts without one',
      ],
    ],
  ])('%s', (_, change, pick, expected) => {
    const f = facts(change);
    if (change.request) f.conflicts = { ...f.conflicts, executables: { shell: '/bin/sh' } };
    expect(pick(planRun(f))).toEqual(expected);
  });

  it.each<[Partial<RunFacts>, RegExp]>([
    [{ prompt: 'a\0b' }, /NUL byte/],
    [
      { root: true, request: { ...request, yolo: true } },
      /claude refuses its skip-permission flag .* as root/,
    ],
  ])('refuses %j', (change, message) => {
    expect(() => planRun(facts(change))).toThrow(message);
  });

  it('refuses what is in the way', () => {
    const f = facts();
    expect(() =>
      planRun({ ...f, conflicts: { ...f.conflicts, existingBranches: new Set(['auth-2']) } }),
    ).toThrow(/the branch auth-2 already exists/);
    expect(() => planRun({ ...f, conflicts: { ...f.conflicts, runExists: true } })).toThrow(
      /a run named auth already exists/,
    );
  });
});

describe('planPreparation', () => {
  const target = { task: 'auth', repository: '/src/app', ns: [1, 2] };
  it.each<[string, Partial<PreparationFacts>, (p: ReturnType<typeof planPreparation>) => unknown, unknown]>([
    [
      'an approved install runs the scripts',
      { deps: { method: 'install', reason: 'x', choice: npmChoice }, installScripts: true },
      (p) => [p.plan.deps.install, p.warnings],
      ['npm ci', []],
    ],
    [
      'an unapproved install turns them off and says so',
      { deps: { method: 'install', reason: 'x', choice: npmChoice } },
      (p) => [p.plan.deps.install, p.warnings.length],
      ['npm ci --ignore-scripts', 1],
    ],
    [
      'a base with other scripts than the approved ones runs none',
      {
        deps: { method: 'install', reason: 'x', choice: npmChoice },
        installScripts: true,
        baseScriptsDiffer: true,
      },
      (p) => [p.plan.deps.install, p.warnings.length],
      ['npm ci --ignore-scripts', 2],
    ],
    [
      'no dependencies: no install',
      { deps: { method: 'none', reason: 'no package.json', choice: null } },
      (p) => p.plan.deps,
      { method: 'none', reason: 'no package.json', install: null },
    ],
    [
      'SQLite: a snapshot of a present, untracked file; a missing or tracked one is warned about',
      {
        sqlite: [
          { file: 'db.sqlite', present: true, tracked: false },
          { file: 'gone.sqlite', present: false, tracked: false },
          { file: 'kept.sqlite', present: true, tracked: true },
        ],
      },
      (p) => [p.plan.sqlite, p.warnings.map((w) => w.split(':')[1]!.trim().split(' ')[0])],
      [['db.sqlite'], ['gone.sqlite', 'kept.sqlite']],
    ],
    [
      'PostgreSQL: one database per candidate, named from the template',
      { postgres: { url: 'postgres://u:p@localhost/app_dev', env: 'DATABASE_URL' } },
      (p) => p.plan.postgres?.databases.map((d) => [d.n, /^app_dev_auth_[0-9a-f]{8}_\d$/.test(d.database)]),
      [
        [1, true],
        [2, true],
      ],
    ],
    [
      'notes and file warnings come first',
      { notes: ['envFile .env.local is not gitignored'], files: { entries: [], warnings: ['copy: x'] } },
      (p) => p.warnings.slice(0, 2),
      ['envFile .env.local is not gitignored', 'copy: x'],
    ],
  ])('%s', (_, change, pick, expected) => {
    expect(pick(planPreparation({ ...preparation, ...change }, target))).toEqual(expected);
  });
});

describe('chooseDeps', () => {
  const base: DepsFacts = {
    mode: 'auto',
    base: {
      files: new Set(['package.json', 'package-lock.json']),
      packageJson: '{"dependencies":{"a":"1"}}',
    },
    nodeModulesIgnored: true,
    mainHasNodeModules: true,
    sameLockfile: true,
    staleNodeModules: null,
    sameFileSystem: true,
    canClone: true,
  };
  it.each<[Partial<DepsFacts>, string, RegExp]>([
    [{}, 'clone', /copy-on-write/],
    [{ canClone: false }, 'hardlink', /cannot clone/],
    [{ mode: 'none' }, 'none', /deps is "none"/],
    [{ mode: 'install' }, 'install', /deps is "install"/],
    [{ base: { files: new Set(), packageJson: null } }, 'none', /no package\.json/],
    [{ nodeModulesIgnored: false }, 'none', /not gitignored/],
    [{ base: { files: new Set(['package.json']), packageJson: '{}' } }, 'none', /declares no dependencies/],
    [{ mainHasNodeModules: false }, 'install', /main worktree has no node_modules/],
    [{ sameLockfile: false }, 'install', /package-lock\.json differs/],
    [{ staleNodeModules: 'stale because' }, 'install', /stale because/],
    [{ sameFileSystem: false }, 'install', /another file system/],
  ])('%j → %s', (change, method, reason) => {
    const plan = chooseDeps({ ...base, ...change });
    expect(plan.method).toBe(method);
    expect(plan.reason).toMatch(reason);
  });
});

describe('run options', () => {
  it('are read from yargs argv under createRun names, every declared option', () => {
    const argv = { 'prompt-file': 'p.md', 'strict-setup': true, agents: '2', attach: false, trust: false };
    const args = declaredRunArgs(argv);
    expect(args).toMatchObject({ promptFile: 'p.md', strictSetup: true, agents: '2', attach: false });
    expect(Object.keys(args).length).toBe(Object.keys(RUN_OPTIONS).length);
  });
});
