import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sources(SRC).map((file) => ({
  name: path.relative(SRC, file),
  text: readFileSync(file, 'utf8'),
}));

/**
 * Issue 15: simple-git runs every git call, behind src/io/git-runner.ts, and everything above io/ calls
 * a named function of io/git.ts. Two git commands are started otherwise, on purpose:
 * - `diff` hands git the user's terminal (their pager and colours), which simple-git cannot do;
 * - `doctor` probes `git --version` the way it probes every other tool;
 * - io/exec.ts holds the light git path that git-runner.ts itself uses for the repository probe and for a
 *   rollback's git in a process group of its own (see probeGit and runGit).
 */
const STARTS_GIT_ITSELF = new Set(['actions/diff.ts', 'actions/doctor.ts', 'io/exec.ts']);

describe('git calls', () => {
  it('only io/git-runner.ts imports simple-git', () => {
    const importers = files.filter((f) => /from 'simple-git'|import\('simple-git'\)/.test(f.text));
    expect(importers.map((f) => f.name)).toEqual(['io/git-runner.ts']);
  });

  it('only io/ modules use the git runner; the rest call named io/git.ts functions', () => {
    const users = files.filter((f) => f.text.includes("git-runner.js'")).map((f) => f.name);
    expect(users.length).toBeGreaterThan(1);
    expect(users.filter((name) => !name.startsWith('io/'))).toEqual([]);
  });

  it("no module starts git through another runner (run('git', …), spawn('git', …))", () => {
    const starters = files
      .filter((f) => f.name !== 'io/git-runner.ts' && !STARTS_GIT_ITSELF.has(f.name))
      .filter((f) => /\b(run|spawn|runWithTerminal|tool|execFile|execa)\(\s*'git'/.test(f.text));
    expect(starters.map((f) => f.name)).toEqual([]);
  });
});
