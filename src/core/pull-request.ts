import type { StoredReview } from './stored-review.js';
import type { RunManifest } from './types.js';

/** One candidate's line in the pull request's summary: what compare counts, from the candidate's tree. */
export interface CandidateSummary {
  n: number;
  agent: string;
  files: number;
  added: number;
  deleted: number;
  /** The recorded check result (`passed`, `failed (exit 1)`…), or null when no check ran. */
  check: string | null;
}

/** The pull request's title: the issue's title, else the prompt's first line, else the task name. */
export function pullRequestTitle(manifest: RunManifest, prompt: string | null): string {
  if (manifest.issue) return manifest.issue.title.trim();
  const firstLine = (prompt ?? '')
    .split('\n')
    .map((line) => line.replace(/^#+\s*/, '').trim())
    .find((line) => line !== '');
  if (!firstLine) return manifest.task;
  return firstLine.length > 72 ? `${firstLine.slice(0, 71).trimEnd()}…` : firstLine;
}

/**
 * The pull request's body: which candidate won out of how many, the compare summary of all of them, the
 * review's verdict when one was stored, and `Closes #N` when the run came from an issue (GitHub then
 * closes the issue when the pull request merges).
 */
export function pullRequestBody(input: {
  manifest: RunManifest;
  winner: number;
  summaries: CandidateSummary[];
  checkCommand: string | null;
  review: StoredReview | null;
}): string {
  const { manifest, winner } = input;
  const picked = manifest.candidates.find((c) => c.n === winner)!;
  const lines = [
    `Candidate ${winner} (${picked.agent}) of ${manifest.candidates.length}, chosen with git parallel from the run \`${manifest.task}\`.`,
    '',
    '### Compare',
    '',
    `| candidate | agent | files | lines | check${input.checkCommand ? ` (\`${input.checkCommand}\`)` : ''} |`,
    '|---|---|---|---|---|',
    ...input.summaries.map(
      (s) =>
        `| ${s.n === winner ? `**${s.n}** (picked)` : String(s.n)} | ${s.agent} | ${s.files} | +${s.added} −${s.deleted} | ${s.check ?? 'not run'} |`,
    ),
  ];
  if (input.review) {
    const review = input.review;
    lines.push('', '### Review');
    if (review.recommended !== null) lines.push('', `Recommended: candidate ${review.recommended}.`);
    if (review.reasons.trim() !== '') lines.push('', review.reasons.trim());
    const own = review.candidates.find((c) => c.number === winner);
    if (own) {
      if (own.score !== null) lines.push('', `Score of candidate ${winner}: ${own.score}.`);
      for (const [label, items] of [
        ['Strengths', own.strengths],
        ['Defects', own.defects],
        ['Risks', own.risks],
      ] as const) {
        if (items.length > 0) lines.push('', `${label}:`, ...items.map((item) => `- ${item}`));
      }
    }
  }
  if (manifest.issue) lines.push('', `Closes ${manifest.issue.repo ?? ''}#${manifest.issue.number}`);
  return `${lines.join('\n')}\n`;
}
