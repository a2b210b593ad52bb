import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  expandBraces,
  parseWorktreeInclude,
  reachesInto,
  repositoryPathProblem,
  selects,
} from '../../src/core/globs.js';

describe('config globs (relative to the repository root)', () => {
  it.each([
    ['.env', '.env', true],
    ['.env', 'app/.env', false],
    ['.env.*', '.env.local', true],
    ['config/*.local.yml', 'config/db.local.yml', true],
    ['config/*.local.yml', 'config/sub/db.local.yml', false],
    ['config/*.local.yml', 'other/db.local.yml', false],
    ['config/**/*.yml', 'config/a/b/c.yml', true],
    ['config/**/*.yml', 'config/c.yml', true],
    ['**/.env', 'apps/web/.env', true],
    ['**/.env', '.env', true],
    ['secrets', 'secrets/key.pem', true],
    ['secrets/**', 'secrets/a/key.pem', true],
    ['.env.{local,development}', '.env.development', true],
    ['.env.{local,development}', '.env.production', false],
    ['./.env', '.env', true],
    ['data/dev.db?', 'data/dev.db1', true],
    ['data/[ab].db', 'data/b.db', true],
    ['data/[!ab].db', 'data/b.db', false],
    ['a.b', 'axb', false],
  ])('%s selects %s: %s', (glob, file, expected) => {
    expect(selects(compileGlob(glob), file, false)).toBe(expected);
  });

  it('matches a folder itself, so a gitignored folder is copied whole', () => {
    expect(selects(compileGlob('.vscode'), '.vscode', true)).toBe(true);
    expect(selects(compileGlob('config/*.local.yml'), 'config', true)).toBe(false);
  });

  it.each([
    ['../x', /leaves the repository/],
    ['a/../../x', /leaves the repository/],
    ['a/b/../c', /leaves the repository/],
    ['/etc/passwd', /absolute/],
    ['~/secrets', /absolute/],
    ['C:\\secrets', /absolute/],
    ['.git/config', /\.git/],
    ['', /empty/],
  ])('refuses %j', (glob, message) => {
    expect(repositoryPathProblem(glob)).toMatch(message);
    expect(() => compileGlob(glob)).toThrow(message);
  });

  it('accepts paths inside the repository', () => {
    for (const glob of ['.env', 'config/*.yml', '.github/x', 'a..b/c'])
      expect(repositoryPathProblem(glob)).toBeNull();
  });

  it('expands braces, nested and repeated', () => {
    expect(expandBraces('a/{b,c}/*.{yml,yaml}')).toEqual([
      'a/b/*.yml',
      'a/b/*.yaml',
      'a/c/*.yml',
      'a/c/*.yaml',
    ]);
    expect(expandBraces('{a,{b,c}}')).toEqual(['a', 'b', 'c']);
    expect(expandBraces('no{brace')).toEqual(['no{brace']);
    expect(expandBraces('{single}')).toEqual(['{single}']);
  });

  it('knows which gitignored folders a pattern reaches into', () => {
    const [rule] = compileGlob('config/secrets/*.pem');
    expect(reachesInto(rule!, 'config')).toBe(true);
    expect(reachesInto(rule!, 'config/secrets')).toBe(true);
    expect(reachesInto(rule!, 'node_modules')).toBe(false);
    expect(reachesInto(compileGlob('**/.env')[0]!, 'node_modules')).toBe(false);
    expect(reachesInto(compileGlob('*.pem')[0]!, 'node_modules')).toBe(false);
  });
});

describe('.worktreeinclude (gitignore syntax)', () => {
  const rules = parseWorktreeInclude(
    [
      '# comment',
      '',
      '.env*',
      '!.env.example',
      '/root-only.txt',
      'config/local.yml',
      'secrets/',
      'logs/**/*.log',
      '../outside',
      '\\#hash',
    ].join('\n'),
  );

  it.each([
    ['.env', false, true],
    ['apps/web/.env.local', false, true],
    ['.env.example', false, false],
    ['root-only.txt', false, true],
    ['sub/root-only.txt', false, false],
    ['config/local.yml', false, true],
    ['sub/config/local.yml', false, false],
    ['secrets', true, true],
    ['secrets', false, false],
    ['apps/secrets', true, true],
    ['apps/secrets/key', false, true],
    ['logs/a/b/x.log', false, true],
    ['#hash', false, true],
    ['README.md', false, false],
  ])('%s (folder: %s) selected: %s', (file, isDir, expected) => {
    expect(selects(rules, file, isDir)).toBe(expected);
  });

  it('drops patterns that leave the repository and reads CRLF files', () => {
    expect(rules.some((r) => r.source.includes('..'))).toBe(false);
    expect(selects(parseWorktreeInclude('.env\r\n.env.local\r\n'), '.env.local', false)).toBe(true);
  });

  it('has no prefix for patterns that match at any depth, so they never walk into ignored folders', () => {
    expect(parseWorktreeInclude('.env')[0]!.prefix).toBeNull();
    expect(parseWorktreeInclude('/config/*.yml')[0]!.prefix).toBe('config');
  });
});
