import { describeUsage } from '../core/agent-usage.js';
import { type CompareReview, type ReviewVerdict, unseenText } from '../core/review-verdict.js';
import type { RunManifest } from '../core/types.js';
import { formatTable, type Reporter } from './reporter.js';

/** The verdict for people: the ranking with scores and points, the reasons, what was not seen. */
export function printVerdict(verdict: ReviewVerdict, manifest: RunManifest, reporter: Reporter): void {
  const names = new Map(manifest.candidates.map((c) => [c.n, c.name]));
  const by = verdict.reviewers.map((r) => r.agent).join(', ');
  reporter.print(
    `${verdict.task}: reviewed blind by ${by}${verdict.reviewers.length > 1 ? ' (combined by Borda count)' : ''}`,
  );
  reporter.print(`recommended: ${verdict.recommended}`);
  reporter.print('');
  const rows = verdict.ranking.map((n, i) => {
    const c = verdict.candidates.find((x) => x.number === n)!;
    return [
      String(i + 1),
      String(n),
      names.get(n) ?? String(n),
      String(c.score),
      String(verdict.points[n] ?? 0),
    ];
  });
  for (const line of formatTable(['RANK', 'N', 'CANDIDATE', 'SCORE', 'POINTS'], rows)) reporter.print(line);
  reporter.print('');
  for (const line of verdictLines(verdict)) reporter.print(line);
  const cost = reviewCostLines(verdict.reviewers);
  if (cost.length > 0) reporter.print('');
  for (const line of cost) reporter.print(line);
}

/** "Cost of the review:" and one line per reviewer whose cost was recorded; none when none was. */
export function reviewCostLines(reviewers: ReviewVerdict['reviewers']): string[] {
  const costs = reviewers.filter((r) => r.cost);
  if (costs.length === 0) return [];
  return ['Cost of the review:', ...costs.map((r) => `  ${r.agent}: ${reviewerCost(r.cost!)}`)];
}

/** `in 2.5k · out 68 · cached 16k (12s)`, or `unknown (12s)`. */
export function reviewerCost(cost: NonNullable<ReviewVerdict['reviewers'][number]['cost']>): string {
  return `${describeUsage(cost.tokens)} (${cost.wallSeconds}s)`;
}

/** The reasons, per-candidate notes, synthesis, disagreements and unseen parts, as lines (compare uses them). */
export function verdictLines(verdict: Omit<ReviewVerdict, 'schemaVersion'>): string[] {
  const lines = ['Reasons:', ...verdict.reasons.split('\n').map((l) => `  ${l}`)];
  for (const c of verdict.candidates) {
    const notes = [
      ...c.strengths.map((s) => `+ ${s}`),
      ...c.defects.map((d) => `- ${d}`),
      ...c.risks.map((r) => `! ${r}`),
    ];
    if (notes.length === 0) continue;
    lines.push(`Candidate ${c.number} (score ${c.score}):`, ...notes.map((n) => `  ${n}`));
  }
  lines.push(
    `A synthesis would beat the best: ${verdict.synthesis.wouldBeatBest ? 'yes' : 'no'}`,
    ...verdict.synthesis.reason.split('\n').map((l) => `  ${l}`),
  );
  if (verdict.disagreements.length > 0) {
    lines.push('Reviewers disagree:', ...verdict.disagreements.map((d) => `  ${d.text}`));
  }
  lines.push(unseenText(verdict.unseen));
  return lines;
}

/** compare's lines about the verdict, after its own ranking rule: "recommended: N", the reasons, the rest. */
export function reviewSummaryLines(review: CompareReview): string[] {
  const by = review.reviewers.map((r) => r.agent).join(', ');
  const combined = review.reviewers.length > 1 ? ', combined by Borda count' : '';
  return [
    '',
    `Review (blind, by ${by}${combined}, ${review.reviewedAt}): recommended: ${review.recommended}${
      review.current ? '' : ' (stale: candidates changed since; git parallel review runs it again)'
    }`,
    ...[...verdictLines(review), ...reviewCostLines(review.reviewers)].map((line) => `  ${line}`),
  ];
}
