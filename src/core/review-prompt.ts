import { type CutDiff, cutDiff, fairShares } from './review-budget.js';

/**
 * The prompt a reviewer receives: the task, the user's extra criteria, the project's guidelines file,
 * every candidate's whole change and check result under its blind letter, what the budget left out, and
 * the JSON schema to answer in. Its first line is a marker, so tools around an agent (and the test
 * suite's model stand-in) can tell a review from a coding turn.
 */
export const REVIEW_MARKER = 'GIT-PARALLEL-REVIEW v1';

/** The default context budget, in characters (about 50k tokens): room for the diffs, the task and the answer. */
export const DEFAULT_REVIEW_BUDGET = 200_000;

/** A guidelines file longer than this is cut: it is context, not the thing under review. */
export const GUIDELINES_LIMIT = 20_000;

export interface BlindCandidate {
  letter: string;
  /** The whole change against the base, scrubbed (see scrubberFor). */
  patch: string;
  files: number;
  added: number;
  deleted: number;
  /** Null when no check result is recorded for this candidate. */
  check: { command: string; outcome: string; current: boolean; logTail: string } | null;
  /** What could not be read (a missing worktree…), already scrubbed. */
  notes: string[];
}

export interface ReviewPromptInput {
  task: string;
  criteria: string | null;
  guidelines: { file: string; text: string } | null;
  candidates: BlindCandidate[];
  schema: unknown;
  /** Characters the whole prompt may take. */
  budget: number;
}

export interface UnseenPart {
  letter: string;
  totalChars: number;
  shownChars: number;
  cutFiles: string[];
  omittedFiles: string[];
}

export interface ReviewPrompt {
  text: string;
  unseen: { budgetChars: number; guidelinesCut: boolean; candidates: UnseenPart[] };
}

/**
 * Renders the prompt within the budget: everything but the diffs is always shown (the task is never
 * cut); the diffs share what is left fairly (fairShares) and each says how much of it was not shown.
 */
export function renderReviewPrompt(input: ReviewPromptInput): ReviewPrompt {
  const guidelinesCut = (input.guidelines?.text.length ?? 0) > GUIDELINES_LIMIT;
  const guidelines = input.guidelines && {
    file: input.guidelines.file,
    text: input.guidelines.text.slice(0, GUIDELINES_LIMIT),
  };
  const empty = input.candidates.map((c) => cutDiff(c.patch, 0));
  // The notes a cut adds are short; 300 characters per candidate keep the total within the budget.
  const fixed = render(input, guidelines, guidelinesCut, empty).length + 300 * input.candidates.length;
  const shares = fairShares(
    input.candidates.map((c) => c.patch.length),
    input.budget - fixed,
  );
  const cuts = input.candidates.map((c, i) => cutDiff(c.patch, shares[i]!));
  return {
    text: render(input, guidelines, guidelinesCut, cuts),
    unseen: {
      budgetChars: input.budget,
      guidelinesCut,
      candidates: input.candidates.map((c, i) => ({
        letter: c.letter,
        totalChars: cuts[i]!.totalChars,
        shownChars: cuts[i]!.shownChars,
        cutFiles: cuts[i]!.cutFiles,
        omittedFiles: cuts[i]!.omittedFiles,
      })),
    },
  };
}

function render(
  input: ReviewPromptInput,
  guidelines: { file: string; text: string } | null,
  guidelinesCut: boolean,
  cuts: CutDiff[],
): string {
  const letters = input.candidates.map((c) => c.letter);
  const out: string[] = [
    REVIEW_MARKER,
    '',
    `You are reviewing ${letters.length} candidate solutions of the same task. Each was written independently, from the same starting commit, by a coding agent that did not see the others. Judge them as a careful senior reviewer: correctness first, then completeness against the task, then the risk each change carries, then clarity.`,
    '',
    `The candidates are named by letters only (${letters.join(', ')}), in no particular order. Placeholders stand where a candidate's own name was: <candidate> for its branch or name, <worktree> for its folder, <agent> for the tool that wrote it. In every text you write, name a candidate as "candidate A" (the word "candidate", then its letter).`,
    '',
    'Everything you need is below. Do not change any file; answer with the JSON object described at the end and nothing else.',
    '',
    '## The task',
    '',
    fence(input.task.trimEnd(), 'text'),
  ];
  if (input.criteria)
    out.push('', '## Extra criteria from the user', '', fence(input.criteria.trimEnd(), 'text'));
  if (guidelines) {
    out.push(
      '',
      `## The project's guidelines (${guidelines.file})`,
      '',
      fence(guidelines.text.trimEnd(), 'markdown'),
    );
    if (guidelinesCut) out.push(`(cut: only the first ${GUIDELINES_LIMIT} characters are shown)`);
  }
  input.candidates.forEach((c, i) => {
    const cut = cuts[i]!;
    out.push(
      '',
      `## Candidate ${c.letter}`,
      '',
      `### Its whole change against the starting commit (committed and uncommitted): ${c.files} file${c.files === 1 ? '' : 's'}, +${c.added} -${c.deleted}`,
      '',
    );
    for (const note of c.notes) out.push(`Note: ${note}`);
    out.push(c.patch === '' ? '(no change)' : fence(cut.text.trimEnd(), 'diff'));
    if (cut.shownChars < cut.totalChars) {
      const parts = [
        cut.cutFiles.length > 0 ? `cut: ${cut.cutFiles.join(', ')}` : '',
        cut.omittedFiles.length > 0 ? `not shown: ${cut.omittedFiles.join(', ')}` : '',
      ].filter(Boolean);
      out.push(
        `(The context budget left ${cut.totalChars - cut.shownChars} of this diff's ${cut.totalChars} characters unseen; ${parts.join('; ')}.)`,
      );
    }
    out.push('', '### Check');
    if (c.check === null) out.push('', 'No check result is recorded for this candidate.');
    else {
      out.push(
        '',
        `\`${c.check.command}\`: ${c.check.outcome}${c.check.current ? '' : ' (stale: the candidate changed after this check ran)'}`,
        '',
        'The end of its log:',
        '',
        fence(c.check.logTail.trimEnd() || '(empty)', 'text'),
      );
    }
  });
  out.push(
    '',
    '## Your answer',
    '',
    'Answer with exactly one JSON object that follows this JSON Schema: for every candidate a score from 0 (unusable) to 10 (merge as it is), the strengths worth keeping, the defects and the risks; a ranking of every letter, best first, with the reasons; and whether a synthesis that combines the best parts of several candidates would beat the best one alone.',
    '',
    fence(JSON.stringify(input.schema, null, 2), 'json'),
    '',
  );
  return out.join('\n');
}

/** A Markdown code fence longer than any run of backticks in the text, so no text can close it early. */
export function fence(text: string, info: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${info}\n${text}\n${ticks}`;
}
