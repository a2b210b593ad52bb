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

/** "0.4s", "12s", "2m05s": how long a step took, for progress lines (setup, checks). */
export function formatStepDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** "45s", "3m", "2h 5m": how long something has been so, coarse enough for the status table. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}
