import { describe, expect, it } from 'vitest';
import { assignSlots, fnv1a32, portsForSlot, preferredSlot } from '../../src/core/port-slots.js';

describe('fnv1a32', () => {
  // Reference values of 32-bit FNV-1a: they pin the hash so slots never move between versions.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('%j', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });
  it('hashes UTF-8 bytes, not UTF-16 units', () => {
    expect(fnv1a32('é')).not.toBe(fnv1a32('\u00e9'.normalize('NFD')));
    expect(fnv1a32('é')).toBe(fnv1a32('\u00e9'));
  });
});

describe('preferredSlot', () => {
  it('is deterministic and lies in 1..span-1', () => {
    expect(preferredSlot('app', 'add-auth-1', 1000)).toBe(preferredSlot('app', 'add-auth-1', 1000));
    for (let i = 0; i < 500; i++) {
      const slot = preferredSlot('repo', `task-${i}`, 10);
      expect(slot).toBeGreaterThanOrEqual(1);
      expect(slot).toBeLessThanOrEqual(9);
    }
  });
  it('is pinned for a known input (the README formula)', () => {
    expect(preferredSlot('app', 'add-auth-1', 1000)).toBe(1 + (fnv1a32('app/add-auth-1') % 999));
  });
});

describe('assignSlots', () => {
  const always = async () => true;
  const base = {
    repoName: 'app',
    bases: { PORT: 4000, API_PORT: 8000 },
    span: 1000,
    takenSlots: new Set<number>(),
    portsFree: always,
  };

  it('gives each worktree its preferred slot when free', async () => {
    const names = ['t-1', 't-2', 't-3'];
    const slots = await assignSlots({ ...base, worktreeNames: names });
    expect(slots).toEqual(names.map((n) => preferredSlot('app', n, 1000)));
  });

  it('probes to the next slot when a live run holds the preferred one', async () => {
    const preferred = preferredSlot('app', 't-1', 1000);
    const [slot] = await assignSlots({ ...base, worktreeNames: ['t-1'], takenSlots: new Set([preferred]) });
    expect(slot).toBe(preferred === 999 ? 1 : preferred + 1);
  });

  it('keeps slots unique within a run even when names collide on a tiny span', async () => {
    const slots = await assignSlots({ ...base, span: 4, worktreeNames: ['a', 'b', 'c'] });
    expect(new Set(slots).size).toBe(3);
    expect(slots.every((s) => s >= 1 && s <= 3)).toBe(true);
  });

  it('skips slots whose ports are bound by another process', async () => {
    const preferred = preferredSlot('app', 't-1', 1000);
    const busy = new Set([8000 + preferred]);
    const [slot] = await assignSlots({
      ...base,
      worktreeNames: ['t-1'],
      portsFree: async (ports) => ports.every((p) => !busy.has(p)),
    });
    expect(slot).not.toBe(preferred);
  });

  it('fails with a clear message when no slot is free', async () => {
    await expect(assignSlots({ ...base, span: 3, worktreeNames: ['a', 'b', 'c'] })).rejects.toThrow(
      /no free port slot for c in PORT 4001-4002, API_PORT 8001-8002/,
    );
  });

  it('maps a slot to every configured port', () => {
    expect(portsForSlot({ PORT: 4000, API_PORT: 8000 }, 161)).toEqual({ PORT: 4161, API_PORT: 8161 });
  });
});
