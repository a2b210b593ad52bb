import { describe, expect, it } from 'vitest';
import { AGENT_PRESETS } from '../../src/core/agent-presets.js';
import {
  assertNoConflicts,
  buildManifest,
  type ConflictFacts,
  draftCandidates,
  sessionName,
} from '../../src/core/plan.js';
import { planRepo, planRequest } from '../helpers/run-request.js';

const repo = planRepo;
const request = planRequest('claude:2,codex:1');

describe('draftCandidates', () => {
  it('names candidates from the patterns, next to the repository', () => {
    expect(draftCandidates(request, repo, AGENT_PRESETS)).toEqual([
      { n: 1, agent: 'claude', name: 'auth-1', branch: 'auth-1', worktree: '/src/app-worktrees/auth-1' },
      { n: 2, agent: 'claude', name: 'auth-2', branch: 'auth-2', worktree: '/src/app-worktrees/auth-2' },
      { n: 3, agent: 'codex', name: 'auth-3', branch: 'auth-3', worktree: '/src/app-worktrees/auth-3' },
    ]);
  });

  it('uses {agent} and absolute worktree patterns', () => {
    const drafts = draftCandidates(
      { ...request, worktreeDir: '/tmp/wt/{task}/{agent}-{n}', branch: 'gp/{task}/{agent}-{n}' },
      repo,
      AGENT_PRESETS,
    );
    expect(drafts.map((d) => [d.branch, d.worktree])).toEqual([
      ['gp/auth/claude-1', '/tmp/wt/auth/claude-1'],
      ['gp/auth/claude-2', '/tmp/wt/auth/claude-2'],
      ['gp/auth/codex-3', '/tmp/wt/auth/codex-3'],
    ]);
  });

  it.each([
    [{ task: 'bad name' }, /invalid task name/],
    [{ lineup: 'claude:2,nope' }, /unknown agent "nope"; known agents: aider, claude/],
    [{ branch: '{task}' }, /two candidates would share the branch auth; put \{n\} in "branch"/],
    [{ worktreeDir: '../wt/{task}' }, /two candidates would share the worktreeDir/],
    [{ branch: '{task} {n}' }, /the branch name "auth 1" contains a space/],
    [{ branch: '{task}-{x}' }, /unknown placeholder \{x\}/],
  ])('refuses %j', (change, message) => {
    expect(() => draftCandidates({ ...request, ...change }, repo, AGENT_PRESETS)).toThrow(message);
  });
});

describe('assertNoConflicts', () => {
  const drafts = draftCandidates(request, repo, AGENT_PRESETS);
  const clear: ConflictFacts = {
    existingBranches: new Set(),
    existingPaths: new Set(),
    executables: { claude: '/bin/claude', codex: '/bin/codex' },
    runExists: false,
    sessionExists: false,
    session: 'app-auth',
  };
  it('passes when nothing is in the way', () => {
    expect(() => assertNoConflicts('auth', drafts, AGENT_PRESETS, clear)).not.toThrow();
  });
  it.each([
    [{ runExists: true }, /a run named auth already exists/],
    [{ existingBranches: new Set(['auth-2']) }, /the branch auth-2 already exists/],
    [
      { existingPaths: new Set(['/src/app-worktrees/auth-3']) },
      /the folder \/src\/app-worktrees\/auth-3 already exists/,
    ],
    [
      { executables: { claude: '/bin/claude', codex: null } },
      /the agent codex needs "codex", which is not on PATH/,
    ],
    [{ sessionExists: true }, /a multiplexer session named app-auth already exists/],
  ] as [Partial<ConflictFacts>, RegExp][])('refuses %o', (change, message) => {
    expect(() => assertNoConflicts('auth', drafts, AGENT_PRESETS, { ...clear, ...change })).toThrow(message);
  });
});

describe('buildManifest', () => {
  it('records slots, ports, the resolved command line and the base', () => {
    const drafts = draftCandidates(request, repo, AGENT_PRESETS);
    const manifest = buildManifest({
      request: { ...request, yolo: true, model: 'big' },
      repo,
      base: { commit: 'abc123', ref: 'main' },
      drafts,
      slots: [7, 8, 9],
      agents: AGENT_PRESETS,
      executables: { claude: '/bin/claude', codex: '/bin/codex' },
      promptFile: '/src/app/.git/parallel/auth/prompt.md',
      mux: { kind: 'tmux', session: 'app-auth', layout: 'tiled' },
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(manifest).toMatchObject({
      version: 1,
      task: 'auth',
      phase: 'creating',
      createdAt: '2026-01-02T03:04:05.000Z',
    });
    expect(manifest.candidates.map((c) => c.ports.PORT)).toEqual([4007, 4008, 4009]);
    expect(manifest.candidates[0]!.command).toEqual([
      '/bin/claude',
      '--dangerously-skip-permissions',
      '--model',
      'big',
    ]);
    expect(manifest.candidates[2]!.command).toEqual([
      '/bin/codex',
      '--no-daemon',
      '--dangerously-bypass-approvals-and-sandbox',
      '--model',
      'big',
    ]);
    expect(manifest.candidates[2]!.prompt).toBe('positional');
  });
});

describe('sessionName', () => {
  it.each([
    ['app', 'auth', 'app-auth'],
    ['my.repo', 'v1.2', 'my_repo-v1_2'],
    ['a'.repeat(40), 't', `${'a'.repeat(24)}-t`],
  ])('%s + %s → %s', (repoName, task, expected) => {
    expect(sessionName(repoName, task)).toBe(expected);
  });
});
