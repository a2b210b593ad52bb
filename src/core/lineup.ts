import { UsageError } from '../errors.js';
import type { RunManifest } from './types.js';

/** More agents than this on one machine is almost certainly a typo (and a very hot laptop). */
export const MAX_AGENTS = 32;

/** The agent of each candidate, in candidate order: `claude:2,codex:1` → claude, claude, codex. */
export type Lineup = string[];

const LINEUP_HELP = 'give a count (e.g. 3) or a line-up such as claude:2,codex:1';

/** Parses `--agents`: a count of the default agent, or a comma-separated line-up of `name[:count]`. */
export function parseLineup(value: string | number, defaultAgent: string): Lineup {
  const text = String(value).trim();
  if (/^-?\d+$/.test(text)) return repeat(defaultAgent, parseCount(text, text));
  if (/^[-+]?[\d.]+$/.test(text))
    throw new UsageError(`invalid --agents ${JSON.stringify(text)}: ${LINEUP_HELP}`);

  const lineup: Lineup = [];
  for (const part of text.split(',')) {
    const match = part.trim().match(/^([A-Za-z0-9][A-Za-z0-9._-]*)(?::(-?\d+))?$/);
    if (!match) throw new UsageError(`invalid --agents ${JSON.stringify(text)}: ${LINEUP_HELP}`);
    const [, name, count] = match;
    lineup.push(...repeat(name!, count === undefined ? 1 : parseCount(count, text)));
  }
  if (lineup.length > MAX_AGENTS) {
    throw new UsageError(
      `--agents ${JSON.stringify(text)} asks for ${lineup.length} agents; the most is ${MAX_AGENTS}`,
    );
  }
  return lineup;
}

function parseCount(count: string, whole: string): number {
  const n = Number(count);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `invalid --agents ${JSON.stringify(whole)}: counts must be at least 1; ${LINEUP_HELP}`,
    );
  }
  if (n > MAX_AGENTS) {
    throw new UsageError(`--agents ${JSON.stringify(whole)} asks for ${n} agents; the most is ${MAX_AGENTS}`);
  }
  return n;
}

function repeat(name: string, count: number): Lineup {
  return Array.from({ length: count }, () => name);
}

/** `claude×2 codex`: the line-up in the order of the candidates. */
export function lineupText(manifest: RunManifest): string {
  const counts = new Map<string, number>();
  for (const c of manifest.candidates) counts.set(c.agent, (counts.get(c.agent) ?? 0) + 1);
  return [...counts].map(([agent, count]) => (count === 1 ? agent : `${agent}×${count}`)).join(' ');
}
