import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { expand } from 'dotenv-expand';
import { afterAll, describe, expect, it } from 'vitest';
import { dotenvValues, EnvValueError, formatDotenvValue, mergeDotenv } from '../../src/core/dotenv.js';

/**
 * Issue 13 items 2 and 15: what git-parallel writes into an envFile is read back exactly by dotenv and by
 * dotenv-expand (what Vite and Next.js use), and a shell that sources the file runs none of it.
 */
const scratch = mkdtempSync(path.join(tmpdir(), 'gp-dotenv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const marker = path.join(scratch, 'RAN');

const VALUES = [
  '4161',
  '/tmp/app-worktrees/auth-1',
  'postgres://u:***@localhost:5432/app_dev_1',
  '/tmp/my repo/x',
  '/tmp/#hash and space',
  "/tmp/it's $x #y/app-1",
  `/tmp/'$(touch ${marker})/app-1`,
  `/tmp/$(touch ${marker})/app-1`,
  `/tmp/\`touch ${marker}\`/app-1`,
  '/tmp/${HOME}/a',
  '/tmp/$HOME/a',
  '/tmp/a$ b$',
  'back\\slash',
  'with "double" quotes',
  "it's",
  'two\nlines',
  'tab\there',
  '',
];

/** dotenv-expand sees a name after `$` inside any quotes; plain dotenv then keeps the `\` (see formatDotenvValue). */
const dotenvKeepsBackslash = (value: string) =>
  value.includes("'") || value.includes('\n') ? /\$./s.test(value) : /\$[A-Za-z_{]/.test(value);

describe('envFile values', () => {
  it.each(
    VALUES,
  )('%j reads back exactly with dotenv-expand, with dotenv, and with our own parser', (value) => {
    const text = mergeDotenv(null, { GIT_PARALLEL_WORKTREE: value }, 'git-parallel');
    const parsed = dotenv.parse(text);
    expect(expand({ parsed: { ...parsed }, processEnv: {} }).parsed?.GIT_PARALLEL_WORKTREE).toBe(value);
    if (!dotenvKeepsBackslash(value)) expect(parsed.GIT_PARALLEL_WORKTREE).toBe(value);
    else expect(parsed.GIT_PARALLEL_WORKTREE).toBe(value.replace(/\$(?=.)/gs, '\\$'));
    expect(dotenvValues(text).GIT_PARALLEL_WORKTREE).toBe(value);
  });

  it.each(VALUES)('%j: a shell sourcing the file runs nothing', (value) => {
    const file = path.join(scratch, 'env');
    writeFileSync(file, mergeDotenv(null, { V: value }, 'git-parallel'));
    const out = execFileSync('bash', ['-c', 'set -a; . "$1"; printf %s "$V"', 'bash', file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(existsSync(marker)).toBe(false);
    // Single quotes keep `\$`; double quotes give a shell the value itself.
    expect([value, value.replace(/\$(?=[A-Za-z_{])/g, '\\$')]).toContain(out.replace(/\\n/g, '\n'));
  });

  it.each([
    `/tmp/it's "both"`,
    "/tmp/it's \\ back",
    "/tmp/it's `tick`",
  ])('refuses %j, which no quoting carries exactly and safely', (value) => {
    expect(() => formatDotenvValue(value)).toThrow(EnvValueError);
  });
});
