import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleBuildInput } from '../helpers/fresh-build.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const file = (relative: string, secondsAgo: number) => {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, '');
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, when, when);
};

describe('the tests run a build as new as src/', () => {
  it('names the missing build, a source edited after it, or nothing when the build is newer', () => {
    root = mkdtempSync(path.join(tmpdir(), 'gp-build-'));
    file('src/io/git.ts', 100);
    file('package.json', 100);
    expect(staleBuildInput(root)).toBe('dist/cli.js (missing)');
    file('dist/cli.js', 50);
    expect(staleBuildInput(root)).toBeNull();
    file('src/io/git.ts', 10);
    expect(staleBuildInput(root)).toBe(path.join('src', 'io', 'git.ts'));
  });
});
