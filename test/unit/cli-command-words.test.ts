import { describe, expect, it } from 'vitest';
import { commandMeant, commandWords } from '../../src/commands/command-words.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { editDistance } from '../../src/core/edit-distance.js';

const visible = COMMANDS.filter((c) => c.describe !== false).flatMap(commandWords);

describe('task names that are commands, or close to one', () => {
  it('lists every visible command and alias, and no hidden one', () => {
    expect(visible).toEqual(
      expect.arrayContaining(['run', 'list', 'ls', 'status', 'rm', 'help', 'version', 'completion']),
    );
    expect(visible).not.toContain('launch');
    expect(visible).not.toContain('__complete');
  });

  it.each([
    ['status', 'status', 0],
    ['stauts', 'status', 1],
    ['statsu', 'status', 1],
    ['lsit', 'list', 1],
    ['comapre', 'compare', 1],
    ['compar', 'compare', 1],
    ['kitten', 'sitting', 3],
    ['', 'rm', 2],
  ])('editDistance(%s, %s) = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it.each([
    ['help', 'help'],
    ['version', 'version'],
    ['completion', 'completion'],
    ['ls', 'ls'],
    ['stauts', 'status'],
    ['STATUS', 'status'],
    ['comprae', 'compare'],
    ['comapre', 'compare'],
    ['doctr', 'doctor'],
    ['lint', 'list'],
    ['show', 'status'],
    ['remove', 'rm'],
    ['delete', 'rm'],
    ['merge', 'pick'],
  ])('%s means git parallel %s', (task, command) => {
    expect(commandMeant(task, visible)).toBe(command);
  });

  it.each([
    'add-auth',
    'fix-login',
    'arm',
    'ui',
    'docs',
    'refactor',
    'perf',
    'tests',
  ])('%s is an ordinary task name', (task) => {
    expect(commandMeant(task, visible)).toBeUndefined();
  });
});
