/**
 * Issue 16: the verdict `git parallel review` stores in `<run state>/review.json`, as read by the parts
 * that use it (synthesize, pick --pr). Read tolerantly: only the fields used here are required to have
 * their types, so a newer review file with more fields still reads, and a damaged one reads as none.
 */
export interface ReviewOfCandidate {
  number: number;
  score: number | null;
  strengths: string[];
  defects: string[];
  risks: string[];
}

export interface StoredReview {
  candidates: ReviewOfCandidate[];
  ranking: number[];
  recommended: number | null;
  reasons: string;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function parseStoredReview(text: string): StoredReview | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.candidates)) return null;
  const candidates = v.candidates.flatMap((c): ReviewOfCandidate[] => {
    if (typeof c !== 'object' || c === null) return [];
    const r = c as Record<string, unknown>;
    if (typeof r.number !== 'number') return [];
    return [
      {
        number: r.number,
        score: typeof r.score === 'number' ? r.score : null,
        strengths: strings(r.strengths),
        defects: strings(r.defects),
        risks: strings(r.risks),
      },
    ];
  });
  const ranking = Array.isArray(v.ranking)
    ? v.ranking.flatMap((entry): number[] => {
        if (typeof entry === 'number') return [entry];
        const n = (entry as { number?: unknown } | null)?.number;
        return typeof n === 'number' ? [n] : [];
      })
    : [];
  return {
    candidates,
    ranking,
    recommended: typeof v.recommended === 'number' ? v.recommended : null,
    reasons: typeof v.reasons === 'string' ? v.reasons : '',
  };
}
