import { describe, expect, it } from 'vitest';
import { atLeast, parseVersion, zellijFeatures } from '../../src/core/versions.js';

describe('parseVersion', () => {
  it.each([
    ['git version 2.39.5', [2, 39, 5]],
    ['tmux 3.3a', [3, 3, 0]],
    ['zellij 0.44.0', [0, 44, 0]],
    ['tmux next-3.5', [3, 5, 0]],
    ['no version here', null],
  ])('%j → %j', (text, version) => {
    expect(parseVersion(text)).toEqual(version);
  });
});

describe('atLeast', () => {
  it.each([
    [[3, 3, 0], [3, 0, 0], true],
    [[2, 9, 9], [3, 0, 0], false],
    [[0, 40, 0], [0, 40, 1], false],
    [[0, 40, 1], [0, 40, 1], true],
    [[1, 0, 0], [0, 99, 99], true],
  ] as const)('%j ≥ %j is %s', (version, minimum, expected) => {
    expect(atLeast([...version], [...minimum])).toBe(expected);
  });
});

describe('zellijFeatures', () => {
  it.each([
    [[0, 40, 0], { backgroundWithLayout: false, switchSession: false, paneQueries: false }],
    [[0, 41, 2], { backgroundWithLayout: true, switchSession: false, paneQueries: false }],
    [[0, 44, 0], { backgroundWithLayout: true, switchSession: true, paneQueries: true }],
  ] as const)('%j', (version, features) => {
    expect(zellijFeatures([...version])).toEqual(features);
  });
});
