import type { ReviewOfCandidate, StoredReview } from './stored-review.js';

/** One candidate the synthesis draws on: its change against the run's base, and what the review said of it. */
export interface SynthesisSource {
  n: number;
  agent: string;
  /** Its whole change against the base (committed, uncommitted and untracked), as a git patch. */
  patch: string;
}

/** How many characters of diffs a synthesis prompt holds at most (about 100k tokens), shared fairly. */
export const SYNTHESIS_DIFF_BUDGET = 400_000;

/**
 * Issue 16: the prompt of a synthesis candidate: the task, then per chosen candidate the review's
 * strengths, defects and risks (or a note that no review was stored) and its diff, then what to do. The
 * diffs share one budget: each gets an equal part, and what a small diff leaves over goes to the larger
 * ones; a cut diff says how much was left out, so the agent knows to read the branch itself.
 */
export function synthesisPrompt(input: {
  task: string;
  prompt: string | null;
  sources: SynthesisSource[];
  review: StoredReview | null;
  budget?: number;
}): string {
  const { sources, review } = input;
  const limits = fairLimits(
    sources.map((s) => s.patch.length),
    input.budget ?? SYNTHESIS_DIFF_BUDGET,
  );
  const numbers = sources.map((s) => s.n).join(', ');
  const parts = [
    `You are writing one more candidate for the task below. Candidates ${numbers} already attempted it, each in its own git branch from the same base. Combine the best parts of them into one change: keep what the review calls strengths, avoid the defects and risks, and fill what they miss. Work in this worktree only, starting from the base; you may read the other candidates' branches (git show <branch>:<path>) but do not change them.`,
    '# The task',
    (input.prompt ?? '').trim() === ''
      ? `(The run ${input.task} has no written prompt.)`
      : input.prompt!.trim(),
  ];
  if (review === null) {
    parts.push(
      '# The review',
      'No review was stored for this run (git parallel review), so there are no strengths or defects to go by: judge the candidates from their diffs.',
    );
  } else if (review.recommended !== null || review.reasons.trim() !== '') {
    const verdict = [
      review.recommended === null ? null : `The review recommended candidate ${review.recommended}.`,
      review.reasons.trim() || null,
    ].filter(Boolean);
    parts.push('# The review', verdict.join(' '));
  }
  sources.forEach((source, i) => {
    parts.push(`# Candidate ${source.n} (${source.agent})`);
    if (review !== null) parts.push(reviewLines(review.candidates.find((c) => c.number === source.n)));
    parts.push(diffBlock(source.patch, limits[i]!));
  });
  return `${parts.join('\n\n')}\n`;
}

function reviewLines(review: ReviewOfCandidate | undefined): string {
  if (!review) return 'The review said nothing about this candidate.';
  const lines: string[] = [];
  if (review.score !== null) lines.push(`Review score: ${review.score}.`);
  for (const [label, items] of [
    ['Strengths worth keeping', review.strengths],
    ['Defects', review.defects],
    ['Risks', review.risks],
  ] as const) {
    lines.push(`${label}:`, ...(items.length > 0 ? items.map((item) => `- ${item}`) : ['- (none named)']));
  }
  return lines.join('\n');
}

function diffBlock(patch: string, limit: number): string {
  if (patch.trim() === '') return 'Its diff against the base is empty: it changed nothing.';
  const shown = patch.length > limit ? patch.slice(0, limit) : patch;
  const cut = patch.length - shown.length;
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(shown) + 1));
  const note =
    cut > 0 ? `\n\n(The diff is cut here: ${cut} of its ${patch.length} characters are not shown.)` : '';
  return `Its diff against the base:\n\n${fence}diff\n${shown.endsWith('\n') ? shown : `${shown}\n`}${fence}${note}`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * Shares `budget` among sizes: every size gets an equal part, and a size that needs less than its part
 * gives the rest to the others (water-filling), so no diff is cut while another leaves room unused.
 */
export function fairLimits(sizes: number[], budget: number): number[] {
  const limits = sizes.map(() => 0);
  let left = budget;
  let open = sizes.map((_, i) => i);
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    const small = open.filter((i) => sizes[i]! <= share);
    if (small.length === 0) {
      for (const i of open) limits[i] = share;
      break;
    }
    for (const i of small) {
      limits[i] = sizes[i]!;
      left -= sizes[i]!;
    }
    open = open.filter((i) => !small.includes(i));
  }
  return limits;
}
