import { describe, expect, it } from 'vitest';
import {
  atLeast,
  fitZellijSessionName,
  parseVersion,
  socketPathLimit,
  zellijFeatures,
  zellijSocketDir,
} from '../../src/core/versions.js';

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

describe('zellijFeatures: the version table (issue 12)', () => {
  const row = (version: string) => {
    const f = zellijFeatures(parseVersion(version)!);
    return [
      f.backgroundWithLayout,
      f.listClients,
      f.multiTabNewTab,
      f.switchSession,
      f.paneQueries,
      f.tabIds,
      f.typingNeedsClient,
      f.newPaneNeedsClient,
      f.socketSubdir,
      f.longSocketPath,
    ];
  };
  it.each([
    ['0.39.2', [false, false, false, false, false, false, true, true, '0.39.2', 'hangs']],
    ['0.40.0', [false, false, false, false, false, false, true, true, '0.40.0', 'hangs']],
    ['0.40.1', [true, true, false, false, false, false, true, true, '0.40.1', 'hangs']],
    ['0.41.0', [true, true, true, false, false, false, true, true, '0.41.0', 'hangs']],
    ['0.43.1', [true, true, true, false, false, false, true, true, '0.43.1', 'hangs']],
    ['0.44.0', [true, true, true, true, true, true, false, false, 'contract_version_1', 'hangs']],
    ['0.44.1', [true, true, true, true, true, true, false, false, 'contract_version_1', 'fails']],
    ['0.45.0', [true, true, true, true, true, true, false, false, 'contract_version_1', 'fails']],
  ] as const)('%s', (version, expected) => {
    expect(row(version)).toEqual(expected);
  });
});

describe('zellijSocketDir (zellij-utils/src/consts.rs)', () => {
  const linux = { platform: 'linux' as const, uid: 1000 };
  it.each([
    [
      'ZELLIJ_SOCKET_DIR wins',
      { ZELLIJ_SOCKET_DIR: '/s/', XDG_RUNTIME_DIR: '/run/user/1000' },
      '0.43.1',
      '/s/0.43.1',
    ],
    [
      'then $XDG_RUNTIME_DIR/zellij',
      { XDG_RUNTIME_DIR: '/run/user/1000' },
      '0.44.0',
      '/run/user/1000/zellij/contract_version_1',
    ],
    [
      'a relative XDG_RUNTIME_DIR is ignored',
      { XDG_RUNTIME_DIR: 'run', TMPDIR: '/t' },
      '0.40.1',
      '/t/zellij-1000/0.40.1',
    ],
    ['then $TMPDIR/zellij-UID', { TMPDIR: '/var/tmp/' }, '0.45.0', '/var/tmp/zellij-1000/contract_version_1'],
    ['then /tmp/zellij-UID', {}, '0.41.2', '/tmp/zellij-1000/0.41.2'],
  ])('%s', (_name, env, version, dir) => {
    expect(zellijSocketDir(parseVersion(version)!, { env, ...linux })).toBe(dir);
  });

  it('macOS has no runtime folder: $TMPDIR/zellij-UID even with XDG_RUNTIME_DIR', () => {
    const env = {
      XDG_RUNTIME_DIR: '/run/user/501',
      TMPDIR: '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/',
    };
    expect(zellijSocketDir([0, 44, 1], { env, platform: 'darwin', uid: 501 })).toBe(
      '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/zellij-501/contract_version_1',
    );
  });
});

describe('fitZellijSessionName (issue 12 defect 1)', () => {
  // The usual macOS socket folder: 77 characters before the name, against a 104-byte limit.
  const mac = '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/zellij-501/contract_version_1';
  const long = `myrepo-${'a'.repeat(57)}`;

  it('keeps a name whose socket path fits, cuts a longer one to fit with a hash of the whole name', () => {
    expect(socketPathLimit('darwin')).toBe(104);
    expect(socketPathLimit('linux')).toBe(108);
    expect(fitZellijSessionName('app-auth', mac, 104)).toBe('app-auth');
    const fitted = fitZellijSessionName(long, mac, 104)!;
    expect(`${mac}/${fitted}`.length).toBe(103);
    expect(fitted).toMatch(/^myrepo-a+-[0-9a-f]{6}$/);
    // Deterministic, and two long names that share their start stay apart.
    expect(fitZellijSessionName(long, mac, 104)).toBe(fitted);
    expect(fitZellijSessionName(`${long.slice(0, -1)}b`, mac, 104)).not.toBe(fitted);
    // The same name fits whole in Linux's 108 bytes from a short folder.
    expect(fitZellijSessionName(long, '/run/user/1000/zellij/contract_version_1', 108)).toBe(long);
  });

  it('gives null when the folder leaves no room for a name worth having', () => {
    // 10 bytes of room: a short name still fits whole, a longer one cannot be cut to a useful one.
    expect(fitZellijSessionName('app-auth', `/${'d'.repeat(95)}`, 108)).toBe('app-auth');
    expect(fitZellijSessionName('app-authentication', `/${'d'.repeat(95)}`, 108)).toBeNull();
  });
});
