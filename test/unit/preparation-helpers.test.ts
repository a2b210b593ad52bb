import { describe, expect, it } from 'vitest';
import { preparationWidth, settleWithLimit } from '../../src/core/concurrency.js';
import {
  candidateDatabaseName,
  databaseOf,
  normalizePostgresUrl,
  quoteIdentifier,
  withDatabase,
} from '../../src/core/database-name.js';
import { formatStepDuration } from '../../src/core/durations.js';
import { choosePackageManager } from '../../src/core/package-manager.js';

describe('settleWithLimit', () => {
  it('never runs more than the limit at once, runs every item, keeps order and settles failures', async () => {
    let running = 0;
    let peak = 0;
    const results = await settleWithLimit([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 * (8 - item)));
      running--;
      if (item === 4) throw new Error('four');
      return item * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      10,
      20,
      30,
      'four',
      50,
      60,
      70,
    ]);
  });

  it('handles no items', async () => {
    expect(await settleWithLimit([], 4, async () => 1)).toEqual([]);
  });

  it.each([
    [1, 2, 1],
    [5, 1, 2],
    [5, 2, 2],
    [5, 4, 4],
    [10, 64, 8],
  ])('%i candidates on %i cores: %i at once', (candidates, cores, width) => {
    expect(preparationWidth(candidates, cores)).toBe(width);
  });

  it.each([
    [0, '0.0s'],
    [420, '0.4s'],
    [9_949, '9.9s'],
    [12_300, '12s'],
    [125_000, '2m05s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatStepDuration(ms)).toBe(text);
  });
});

describe('normalizePostgresUrl (issue 13 item 16)', () => {
  it.each([
    ['postgres://user@/db?host=/sock', 'postgres://user@localhost/db?host=/sock'],
    ['postgresql://u:p@/db?host=%2Fvar%2Frun', 'postgresql://u:p@localhost/db?host=%2Fvar%2Frun'],
    ['postgres:///db?host=/sock', 'postgres:///db?host=/sock'],
    ['postgres://u@127.0.0.1:5432/db', 'postgres://u@127.0.0.1:5432/db'],
  ])('%s → %s', (url, normalized) => {
    expect(normalizePostgresUrl(url)).toBe(normalized);
    expect(() => new URL(normalized)).not.toThrow();
  });
});

describe('candidate database names', () => {
  const repo = '/home/u/app';
  it.each([
    ['app_dev', 'add-auth', 2, /^app_dev_add_auth_[0-9a-f]{8}_2$/],
    ['App', 'Fix.Bug', 1, /^app_fix_bug_[0-9a-f]{8}_1$/],
  ])('%s + %s + %i → %s', (template, task, n, name) => {
    expect(candidateDatabaseName(template, task, n, repo)).toMatch(name);
  });

  it('never collide: two repositories, Feat/feat, a-1/a_1 (issue 13 item 13)', () => {
    const names = [
      candidateDatabaseName('app_dev', 'pg1', 1, '/home/u/app'),
      candidateDatabaseName('app_dev', 'pg1', 1, '/home/u/other/app'),
      candidateDatabaseName('app_dev', 'Feat', 1, repo),
      candidateDatabaseName('app_dev', 'feat', 1, repo),
      candidateDatabaseName('app_dev', 'a-1', 1, repo),
      candidateDatabaseName('app_dev', 'a_1', 1, repo),
    ];
    expect(new Set(names).size).toBe(names.length);
    expect(candidateDatabaseName('app_dev', 'pg1', 1, repo)).toBe(names[0]);
  });

  it('keeps long names within 63 bytes and distinct', () => {
    const a = candidateDatabaseName(
      'a_very_long_template_database_name',
      'an-even-longer-task-name-for-testing-a',
      1,
      repo,
    );
    const b = candidateDatabaseName(
      'a_very_long_template_database_name',
      'an-even-longer-task-name-for-testing-b',
      1,
      repo,
    );
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a.endsWith('_1')).toBe(true);
  });

  it('quotes identifiers and swaps the database in a URL, keeping the rest', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(withDatabase('postgres://u:p%40ss@db:5433/app_dev?sslmode=disable', 'app_dev_x_1')).toBe(
      'postgres://u:p%40ss@db:5433/app_dev_x_1?sslmode=disable',
    );
    expect(databaseOf('postgres://localhost/app_dev')).toBe('app_dev');
    expect(databaseOf('postgres://localhost')).toBeNull();
  });
});

describe('choosePackageManager', () => {
  const files = (...names: string[]) => new Set(['package.json', ...names]);
  it.each([
    [files('package-lock.json'), null, 'npm ci'],
    [files('pnpm-lock.yaml'), null, 'pnpm install --frozen-lockfile'],
    [files('yarn.lock'), null, 'yarn install --frozen-lockfile'],
    [files('yarn.lock', '.yarnrc.yml'), null, 'yarn install --immutable'],
    [files('bun.lockb'), null, 'bun install --frozen-lockfile'],
    [files('package-lock.json', 'pnpm-lock.yaml'), 'pnpm@9.1.0', 'pnpm install --frozen-lockfile'],
    // Issue 11 item 5: without a lockfile, none is written.
    [files(), null, 'npm install --no-package-lock'],
    [files(), 'pnpm@9.1.0', 'pnpm install --no-lockfile'],
    [files(), 'yarn@1.22.0', 'yarn install --no-lockfile'],
    [files(), 'yarn@4.0.0', null],
    [files(), 'bun@1.1.0', 'bun install --no-save'],
  ])('%j with packageManager %j installs with %s', (present, field, install) => {
    expect(choosePackageManager({ files: present, packageManagerField: field })?.install).toBe(install);
  });

  it.each([
    [files('package-lock.json'), null, 'npm ci --ignore-scripts'],
    [files('pnpm-lock.yaml'), null, 'pnpm install --frozen-lockfile --ignore-scripts'],
    [files('yarn.lock'), null, 'yarn install --frozen-lockfile --ignore-scripts'],
    [files('yarn.lock', '.yarnrc.yml'), null, 'yarn install --immutable --mode=skip-build'],
    [files('bun.lock'), null, 'bun install --frozen-lockfile --ignore-scripts'],
    [files(), null, 'npm install --no-package-lock --ignore-scripts'],
  ])('%j with packageManager %j installs without lifecycle scripts with %s', (present, field, install) => {
    expect(choosePackageManager({ files: present, packageManagerField: field })?.installWithoutScripts).toBe(
      install,
    );
  });

  it('is null without a package.json', () => {
    expect(choosePackageManager({ files: new Set(['yarn.lock']), packageManagerField: null })).toBeNull();
  });
});
