import { describe, expect, it } from 'vitest';
import { branchNameProblem, expandPattern, taskNameProblem } from '../../src/core/names.js';

describe('taskNameProblem', () => {
  it.each([
    ['add-auth', null],
    ['fix_bug.2', null],
    ['A1', null],
    ['x'.repeat(64), null],
    ['', 'is empty'],
    ['has space', 'contains " "'],
    ['a..b', 'contains ".."'],
    ['a/b', 'contains "/"'],
    ['-x', 'starts with "-"'],
    ['.hidden', 'starts with "."'],
    ['ref.lock', 'ends with ".lock"'],
    ['dot.', 'ends with "."'],
    ['x'.repeat(65), 'is 65 characters long'],
    ['ünï', 'contains "ü"'],
    ['a:b', 'contains ":"'],
    ['a$b', 'contains "$"'],
  ])('%j → %j', (task, problem) => {
    expect(taskNameProblem(task)).toBe(problem);
  });
});

describe('expandPattern', () => {
  const values = { repo: 'app', task: 'auth', n: '2', agent: 'codex' };
  it.each([
    ['../{repo}-worktrees/{task}-{n}', '../app-worktrees/auth-2'],
    ['{task}-{agent}-{n}', 'auth-codex-2'],
    ['gp/{task}/{n}', 'gp/auth/2'],
    ['plain', 'plain'],
  ])('%s → %s', (pattern, expected) => {
    expect(expandPattern(pattern, values, 'branch')).toBe(expected);
  });
  it('names an unknown placeholder and the setting', () => {
    expect(() => expandPattern('{task}-{nn}', values, 'branch')).toThrow(
      /branch "\{task\}-\{nn\}" has an unknown placeholder \{nn\}/,
    );
  });
});

describe('branchNameProblem', () => {
  it.each([
    ['auth-1', null],
    ['gp/auth/1', null],
    ['a..b', 'contains ".."'],
    ['a b', 'contains a space, a control character or one of ~^:?*[\\'],
    ['a//b', 'has an empty component, one starting with "." or one ending with ".lock"'],
    ['a/.b', 'has an empty component, one starting with "." or one ending with ".lock"'],
    ['x@{1}', 'contains "@{"'],
    ['-x', 'starts with "-"'],
  ])('%j → %j', (branch, problem) => {
    expect(branchNameProblem(branch)).toBe(problem);
  });
});
