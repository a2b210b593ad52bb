import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import realAgentsConfig from '../../test/real-agents/vitest.config.js';
import mainConfig from '../../vitest.config.js';
import { staleBuildInput } from '../helpers/fresh-build.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gp-build-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const age = (relative: string, secondsAgo: number) => {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path.join(root, relative), when, when);
};
const file = (relative: string, secondsAgo: number) => {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, '');
  age(relative, secondsAgo);
};
/** A source tree 100 s old and a whole build 50 s old. */
const builtTree = () => {
  file('src/io/git.ts', 100);
  file('src/cli.ts', 100);
  age('src/io', 100);
  age('src', 100);
  file('package.json', 100);
  file('package-lock.json', 100);
  file('dist/cli.js', 50);
  file('dist/help-text.js', 50);
};

describe('the tests run a build as new as src/', () => {
  it('names the missing build, a source edited after it, or nothing when the build is newer', () => {
    file('src/io/git.ts', 100);
    file('package.json', 100);
    expect(staleBuildInput(root)).toBe('dist/cli.js (missing)');
    builtTree();
    expect(staleBuildInput(root)).toBeNull();
    file('src/io/git.ts', 10);
    expect(staleBuildInput(root)).toBe(path.join('src', 'io', 'git.ts'));
  });

  it('a build that stopped before the help text is no build', () => {
    builtTree();
    rmSync(path.join(root, 'dist/help-text.js'));
    expect(staleBuildInput(root)).toBe('dist/help-text.js (missing)');
  });

  it('a source deleted after the build, whose folder alone shows it, makes the build stale', () => {
    builtTree();
    rmSync(path.join(root, 'src/io/git.ts'));
    age('src', 100);
    expect(staleBuildInput(root)).toBe(path.join('src', 'io'));
  });

  it('a lockfile newer than the build (other dependencies bundled) makes it stale', () => {
    builtTree();
    file('package-lock.json', 10);
    expect(staleBuildInput(root)).toBe('package-lock.json');
  });

  it('both test configs run the check, so one file run alone with npx vitest is checked too', () => {
    for (const config of [mainConfig, realAgentsConfig]) {
      expect(config.test?.globalSetup).toContain('test/helpers/fresh-build.ts');
    }
  });
});
