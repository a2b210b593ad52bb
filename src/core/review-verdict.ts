import type { TokenUsage } from './agent-usage.js';
import type { ReviewAnswer } from './review-answer.js';
import { unblindText } from './review-blind.js';
import type { UnseenPart } from './review-prompt.js';

/**
 * The stored verdict (`<state>/review.json`, schemas/review.schema.json), un-blinded: candidates by
 * number. Several reviewers are combined by a Borda count; where they disagree, it says so.
 */
export interface CandidateVerdict {
  number: number;
  score: number;
  strengths: string[];
  defects: string[];
  risks: string[];
}

export interface ReviewerVerdict {
  agent: string;
  ranking: number[];
  recommended: number;
  reasons: string;
  synthesis: { wouldBeatBest: boolean; reason: string };
  candidates: CandidateVerdict[];
  /** 1, or 2 when the first answer was malformed and the retry was good. */
  attempts: number;
  /** What its turns cost (issue 16: the review's own cost is shown too). */
  cost?: { tokens: TokenUsage | null; wallSeconds: number };
}

export interface Disagreement {
  kind: 'recommended' | 'ranking' | 'score' | 'synthesis';
  /** The candidate it is about, for a score disagreement. */
  candidate: number | null;
  text: string;
}

export interface ReviewVerdict {
  schemaVersion: 1;
  task: string;
  reviewedAt: string;
  criteria: string | null;
  candidates: CandidateVerdict[];
  ranking: number[];
  recommended: number;
  reasons: string;
  synthesis: { wouldBeatBest: boolean; reason: string };
  /** Borda points per candidate number: n−1 for a reviewer's first place, 0 for its last, summed. */
  points: Record<string, number>;
  reviewers: ReviewerVerdict[];
  disagreements: Disagreement[];
  unseen: {
    budgetChars: number;
    guidelinesCut: boolean;
    candidates: {
      number: number;
      totalChars: number;
      shownChars: number;
      cutFiles: string[];
      omittedFiles: string[];
    }[];
  };
  /** The blind letters each candidate had, for the record. */
  letters: Record<string, number>;
  /** Each candidate's content (a git tree) when reviewed: compare tells a verdict on older work. */
  trees: Record<string, string | null>;
}

/** One reviewer's answer in candidate numbers. */
export function unblindAnswer(
  agent: string,
  answer: ReviewAnswer,
  letters: ReadonlyMap<string, number>,
  attempts: number,
): ReviewerVerdict {
  const words = (text: string) => unblindText(text, letters);
  const ranking = answer.ranking.map((l) => letters.get(l)!);
  return {
    agent,
    ranking,
    recommended: ranking[0]!,
    reasons: words(answer.reasons),
    synthesis: { wouldBeatBest: answer.synthesis.wouldBeatBest, reason: words(answer.synthesis.reason) },
    candidates: answer.candidates
      .map((c) => ({
        number: letters.get(c.letter)!,
        score: c.score,
        strengths: c.strengths.map(words),
        defects: c.defects.map(words),
        risks: c.risks.map(words),
      }))
      .sort((a, b) => a.number - b.number),
    attempts,
  };
}

/** Borda points: with k candidates, a reviewer's first place earns k−1, its last 0. */
export function bordaPoints(rankings: readonly number[][]): Map<number, number> {
  const points = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((n, position) => {
      points.set(n, (points.get(n) ?? 0) + ranking.length - 1 - position);
    });
  }
  return points;
}

/**
 * The combined ranking: most Borda points first; a tie goes to the higher mean score, then to the lower
 * candidate number (a stable, printed rule rather than a coin).
 */
export function combinedRanking(reviewers: readonly ReviewerVerdict[]): number[] {
  const points = bordaPoints(reviewers.map((r) => r.ranking));
  const mean = meanScores(reviewers);
  return [...points.keys()].sort(
    (a, b) => points.get(b)! - points.get(a)! || (mean.get(b) ?? 0) - (mean.get(a) ?? 0) || a - b,
  );
}

function meanScores(reviewers: readonly ReviewerVerdict[]): Map<number, number> {
  const sums = new Map<number, number[]>();
  for (const r of reviewers)
    for (const c of r.candidates) sums.set(c.number, [...(sums.get(c.number) ?? []), c.score]);
  return new Map([...sums].map(([n, scores]) => [n, scores.reduce((a, b) => a + b, 0) / scores.length]));
}

/** Scores further apart than this, for one candidate, are a disagreement worth showing. */
const SCORE_SPREAD = 3;

export function disagreementsOf(reviewers: readonly ReviewerVerdict[]): Disagreement[] {
  if (reviewers.length < 2) return [];
  const found: Disagreement[] = [];
  const by = (value: (r: ReviewerVerdict) => string) =>
    reviewers.map((r) => `${r.agent} ${value(r)}`).join(', ');
  if (new Set(reviewers.map((r) => r.recommended)).size > 1) {
    found.push({
      kind: 'recommended',
      candidate: null,
      text: `recommended: ${by((r) => String(r.recommended))}`,
    });
  } else if (new Set(reviewers.map((r) => r.ranking.join(','))).size > 1) {
    found.push({ kind: 'ranking', candidate: null, text: `ranking: ${by((r) => r.ranking.join(' > '))}` });
  }
  const numbers = reviewers[0]!.candidates.map((c) => c.number);
  for (const n of numbers) {
    const scores = reviewers.map((r) => r.candidates.find((c) => c.number === n)?.score ?? 0);
    if (Math.max(...scores) - Math.min(...scores) >= SCORE_SPREAD) {
      found.push({
        kind: 'score',
        candidate: n,
        text: `candidate ${n} scored ${by((r) => String(r.candidates.find((c) => c.number === n)?.score))}`,
      });
    }
  }
  if (new Set(reviewers.map((r) => r.synthesis.wouldBeatBest)).size > 1) {
    found.push({
      kind: 'synthesis',
      candidate: null,
      text: `a synthesis would beat the best: ${by((r) => (r.synthesis.wouldBeatBest ? 'yes' : 'no'))}`,
    });
  }
  return found;
}

export interface CombineInput {
  task: string;
  criteria: string | null;
  reviewedAt: string;
  reviewers: ReviewerVerdict[];
  unseen: { budgetChars: number; guidelinesCut: boolean; candidates: UnseenPart[] };
  letters: ReadonlyMap<string, number>;
  trees: ReadonlyMap<number, string | null>;
}

/** Every reviewer's verdict combined into the one that is stored. */
export function combineVerdicts(input: CombineInput): ReviewVerdict {
  const { reviewers } = input;
  const single = reviewers.length === 1;
  const ranking = combinedRanking(reviewers);
  const mean = meanScores(reviewers);
  const union = (n: number, pick: (c: CandidateVerdict) => string[]) => [
    ...new Set(reviewers.flatMap((r) => pick(r.candidates.find((c) => c.number === n)!))),
  ];
  const labelled = (text: (r: ReviewerVerdict) => string) =>
    single ? text(reviewers[0]!) : reviewers.map((r) => `${r.agent}: ${text(r)}`).join('\n');
  const yes = reviewers.filter((r) => r.synthesis.wouldBeatBest).length;
  return {
    schemaVersion: 1,
    task: input.task,
    reviewedAt: input.reviewedAt,
    criteria: input.criteria,
    candidates: [...ranking]
      .sort((a, b) => a - b)
      .map((n) => ({
        number: n,
        score: Math.round((mean.get(n) ?? 0) * 10) / 10,
        strengths: union(n, (c) => c.strengths),
        defects: union(n, (c) => c.defects),
        risks: union(n, (c) => c.risks),
      })),
    ranking,
    recommended: ranking[0]!,
    reasons: labelled((r) => r.reasons),
    // A majority: half of the reviewers saying yes is not enough to spend one more agent on it.
    synthesis: { wouldBeatBest: yes * 2 > reviewers.length, reason: labelled((r) => r.synthesis.reason) },
    points: Object.fromEntries([...bordaPoints(reviewers.map((r) => r.ranking))].sort((a, b) => a[0] - b[0])),
    reviewers,
    disagreements: disagreementsOf(reviewers),
    unseen: {
      budgetChars: input.unseen.budgetChars,
      guidelinesCut: input.unseen.guidelinesCut,
      candidates: input.unseen.candidates
        .map(({ letter, ...rest }) => ({ number: input.letters.get(letter)!, ...rest }))
        .sort((a, b) => a.number - b.number),
    },
    letters: Object.fromEntries(input.letters),
    trees: Object.fromEntries([...input.trees].map(([n, tree]) => [String(n), tree])),
  };
}

/** "nothing unseen", or how much of which candidates' changes the reviewers did not see. */
export function unseenText(unseen: ReviewVerdict['unseen']): string {
  const cut = unseen.candidates.filter((c) => c.shownChars < c.totalChars);
  const parts = cut.map(
    (c) =>
      `candidate ${c.number}: ${c.totalChars - c.shownChars} of ${c.totalChars} characters${
        c.omittedFiles.length + c.cutFiles.length > 0
          ? ` (${[...c.cutFiles.map((f) => `${f} cut`), ...c.omittedFiles].join(', ')})`
          : ''
      }`,
  );
  if (unseen.guidelinesCut) parts.push('the end of the guidelines file');
  return parts.length === 0
    ? 'the reviewers saw every change whole'
    : `not seen by the reviewers: ${parts.join('; ')}`;
}

/** The verdict as compare shows it: un-blinded, and whether it still describes the candidates as they are. */
export interface CompareReview extends Omit<ReviewVerdict, 'schemaVersion'> {
  /** False when a candidate changed (or came or went) since the review: the verdict is of older work. */
  current: boolean;
}

export function reviewForCompare(
  verdict: ReviewVerdict,
  candidates: readonly { n: number; tree: string | null }[],
): CompareReview {
  const { schemaVersion: _version, ...rest } = verdict;
  const reviewed = Object.keys(verdict.trees ?? {})
    .sort()
    .join(',');
  const now = candidates
    .map((c) => String(c.n))
    .sort()
    .join(',');
  const current =
    reviewed === now && candidates.every((c) => c.tree !== null && verdict.trees[String(c.n)] === c.tree);
  return { ...rest, current };
}

/** "2nd · 7.5": a candidate's place in the verdict and its score, for compare's table. */
export function reviewCell(review: Pick<ReviewVerdict, 'ranking' | 'candidates'>, n: number): string {
  const place = review.ranking.indexOf(n);
  if (place === -1) return '-';
  const score = review.candidates.find((c) => c.number === n)?.score;
  return `${ordinal(place + 1)}${score === undefined ? '' : ` · ${score}`}`;
}

function ordinal(k: number): string {
  const tens = k % 100;
  if (tens >= 11 && tens <= 13) return `${k}th`;
  return `${k}${['th', 'st', 'nd', 'rd'][k % 10] ?? 'th'}`;
}

/** A review running now, as `review-running.json` records it: who runs it (pid), since when, with whom. */
export interface ReviewRunning {
  pid: number;
  startedAt: string;
  agents: string[];
}
