import { UsageError } from '../errors.js';

/**
 * Deterministic ports. A candidate's slot is derived from FNV-1a (32-bit) over the UTF-8 bytes of
 * `<repo name>/<worktree folder name>`: a hash whose value is fixed by its definition, so the same
 * worktree gets the same slot on every machine and in every version. The slot lies in 1..span-1, and
 * each configured port is `base + slot` (PORT base 4000 → 4000 + slot).
 *
 *   slot = 1 + (fnv1a32(utf8(repo + "/" + worktree)) mod (span − 1))
 *
 * On collision (a slot already used by this run or another live run of the repository, or one of its
 * ports bound by another process) the next slot is tried, wrapping around within 1..span-1.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function preferredSlot(repoName: string, worktreeName: string, span: number): number {
  return 1 + (fnv1a32(`${repoName}/${worktreeName}`) % (span - 1));
}

export function portsForSlot(bases: Record<string, number>, slot: number): Record<string, number> {
  return Object.fromEntries(Object.entries(bases).map(([name, base]) => [name, base + slot]));
}

export interface SlotRequest {
  repoName: string;
  worktreeNames: string[];
  bases: Record<string, number>;
  span: number;
  /** Slots held by the repository's other live runs. */
  takenSlots: ReadonlySet<number>;
  /** Whether every one of these ports can be bound now (the I/O is injected so this stays testable). */
  portsFree: (ports: number[]) => Promise<boolean>;
}

/** Assigns one slot per worktree, in order: its preferred slot, or the next usable one. */
export async function assignSlots(request: SlotRequest): Promise<number[]> {
  const { span, bases } = request;
  const taken = new Set(request.takenSlots);
  const slots: number[] = [];
  for (const name of request.worktreeNames) {
    const start = preferredSlot(request.repoName, name, span);
    let found: number | undefined;
    for (let step = 0; step < span - 1 && found === undefined; step++) {
      const slot = 1 + ((start - 1 + step) % (span - 1));
      if (taken.has(slot)) continue;
      if (await request.portsFree(Object.values(portsForSlot(bases, slot)))) found = slot;
    }
    if (found === undefined) {
      const ranges = Object.entries(bases).map(([port, base]) => `${port} ${base + 1}-${base + span - 1}`);
      throw new UsageError(
        `no free port slot for ${name} in ${ranges.join(', ')}; stop some runs or raise portSpan`,
      );
    }
    taken.add(found);
    slots.push(found);
  }
  return slots;
}
