import { type CandidateCost, describeUsage } from '../core/agent-usage.js';
import { formatAge } from '../core/durations.js';

/**
 * Issue 16: the "Cost" block of compare's text: one line per candidate with its tokens (or unknown, and
 * why) and its agent's wall time. Nothing when no candidate has a cost (an older report).
 */
export function costLines(candidates: { name: string; agent: string; cost?: CandidateCost }[]): string[] {
  if (!candidates.some((c) => c.cost)) return [];
  const lines = ['Cost (tokens from each agent’s own files; time from start to exit)'];
  for (const c of candidates) lines.push(`  ${c.name}: ${describeCost(c.cost, c.agent)}`);
  return lines;
}

export function describeCost(cost: CandidateCost | undefined, agent: string): string {
  if (!cost) return 'unknown';
  const tokens =
    cost.tokens !== null
      ? describeUsage(cost.tokens)
      : cost.source === null
        ? `tokens unknown (${agent} keeps no usage git-parallel reads)`
        : 'tokens unknown (none recorded yet)';
  const time = cost.wallSeconds === null ? 'not started' : formatAge(cost.wallSeconds * 1000);
  return `${tokens} · ${time}`;
}
