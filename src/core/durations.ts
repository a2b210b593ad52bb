import { UsageError } from '../errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * `30d`, `12h`, `90m`, `45s`, `2w` (or combinations such as `1d12h`) in milliseconds. `m` is minutes,
 * as in `find -mmin` and most CLIs; there is no month unit, because months have no fixed length.
 */
export function parseDuration(text: string, optionName = '--older-than'): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+)([smhdw])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UsageError(
      `${optionName} ${JSON.stringify(text)} is not a duration; use a number and a unit: s, m (minutes), h, d or w, such as 30d or 12h`,
    );
  }
  return parts.reduce(
    (total, [, count, unit]) => total + Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS],
    0,
  );
}
