import { describe, expect, it } from 'vitest';
import { dotenvValues, formatDotenvValue, mergeDotenv, parseDotenv } from '../../src/core/dotenv.js';

describe('dotenv', () => {
  it('replaces the values it owns in place and keeps every other line', () => {
    const existing = [
      '# app settings',
      'PORT=3000',
      'export API_KEY="abc # not a comment"',
      '',
      'FOO=bar # trailing',
      'PORT=3001',
    ].join('\n');
    const merged = mergeDotenv(existing, { PORT: '4161', GIT_PARALLEL_TASK: 'auth' }, 'git-parallel: auth-1');
    expect(merged).toBe(
      [
        '# app settings',
        'PORT=4161',
        'export API_KEY="abc # not a comment"',
        '',
        'FOO=bar # trailing',
        'PORT=4161',
        '',
        '# git-parallel: auth-1',
        'GIT_PARALLEL_TASK=auth',
        '',
      ].join('\n'),
    );
    expect(dotenvValues(merged)).toEqual({
      PORT: '4161',
      API_KEY: 'abc # not a comment',
      FOO: 'bar',
      GIT_PARALLEL_TASK: 'auth',
    });
  });

  it('keeps multi-line quoted values whole', () => {
    const existing = 'KEY="-----BEGIN\nline two\n-----END"\nPORT=1\n';
    const lines = parseDotenv(existing);
    expect(lines).toHaveLength(2);
    expect(dotenvValues(existing).KEY).toBe('-----BEGIN\nline two\n-----END');
    expect(mergeDotenv(existing, { PORT: '2' }, 'h')).toBe('KEY="-----BEGIN\nline two\n-----END"\nPORT=2\n');
  });

  it('writes a new file when there is none', () => {
    expect(mergeDotenv(null, { A: '1', B: 'x y' }, 'heading')).toBe("# heading\nA=1\nB='x y'\n");
  });

  it.each([
    ['4161', '4161'],
    ['/tmp/app-worktrees/auth-1', '/tmp/app-worktrees/auth-1'],
    ['postgres://u:p@localhost:5432/app_dev_auth_1', 'postgres://u:p@localhost:5432/app_dev_auth_1'],
    // dotenv-expand expands names even in single quotes: `\$` keeps the `$` (issue 13 item 15).
    ['/tmp/my repo/$HOME', "'/tmp/my repo/\\$HOME'"],
    ["it's $x", '"it\'s \\$x"'],
    ["it's", '"it\'s"'],
    ['two\nlines', '"two\\nlines"'],
  ])('formats %j as %s and reads it back', (value, formatted) => {
    expect(formatDotenvValue(value)).toBe(formatted);
    expect(dotenvValues(`X=${formatted}\n`).X).toBe(value);
  });
});
