import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

/**
 * What one reviewer must answer, in the candidates' blind letters: the JSON schema the prompt hands it,
 * and the check of an answer against it (the letters must each be scored once and ranked once, which a
 * schema alone cannot say).
 */
export interface ReviewAnswer {
  candidates: {
    letter: string;
    /** 0 (unusable) to 10 (merge as it is). */
    score: number;
    strengths: string[];
    defects: string[];
    risks: string[];
  }[];
  /** Every letter once, best first. */
  ranking: string[];
  reasons: string;
  synthesis: { wouldBeatBest: boolean; reason: string };
}

const texts = { type: 'array', items: { type: 'string' } } as const;

export function answerSchema(letters: readonly string[]): Record<string, unknown> {
  const letter = { type: 'string', enum: [...letters] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      candidates: {
        type: 'array',
        minItems: letters.length,
        maxItems: letters.length,
        items: {
          type: 'object',
          properties: {
            letter,
            score: { type: 'number', minimum: 0, maximum: 10 },
            strengths: texts,
            defects: texts,
            risks: texts,
          },
          required: ['letter', 'score', 'strengths', 'defects', 'risks'],
          additionalProperties: false,
        },
      },
      ranking: { type: 'array', items: letter, minItems: letters.length, maxItems: letters.length },
      reasons: { type: 'string', minLength: 1 },
      synthesis: {
        type: 'object',
        properties: { wouldBeatBest: { type: 'boolean' }, reason: { type: 'string' } },
        required: ['wouldBeatBest', 'reason'],
        additionalProperties: false,
      },
    },
    required: ['candidates', 'ranking', 'reasons', 'synthesis'],
    additionalProperties: false,
  };
}

export type AnswerCheck = { ok: true; answer: ReviewAnswer } | { ok: false; error: string };

/**
 * Reads a reviewer's reply: the JSON object in it (the whole reply, a fenced ```json block, or the text
 * from the first `{` to the last `}`, since agents like to say a word around their answer), checked
 * against the schema and for each letter scored and ranked exactly once. The error is one line, fit to
 * be shown to the reviewer on its retry and to the user.
 */
export function checkAnswer(reply: string, letters: readonly string[]): AnswerCheck {
  const parsed = extractJson(reply);
  if (parsed === undefined) return { ok: false, error: 'the answer holds no JSON object' };
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(answerSchema(letters));
  if (!validate(parsed)) return { ok: false, error: describeErrors(validate.errors ?? []) };
  const answer = parsed as ReviewAnswer;
  const scored = answer.candidates.map((c) => c.letter);
  for (const [what, list] of [
    ['candidates', scored],
    ['ranking', answer.ranking],
  ] as const) {
    const missing = letters.filter((l) => !list.includes(l));
    if (missing.length > 0) {
      return {
        ok: false,
        error: `${what} must name every candidate once: ${missing.join(', ')} missing${
          new Set(list).size < list.length ? ', some named twice' : ''
        }`,
      };
    }
  }
  return { ok: true, answer };
}

export function extractJson(reply: string): unknown {
  const attempts = [reply.trim()];
  const fenced = [...reply.matchAll(/```(?:json)?\s*\n([\s\S]*?)\n\s*```/g)].map((m) => m[1]!);
  attempts.push(...fenced.reverse());
  const first = reply.indexOf('{');
  const last = reply.lastIndexOf('}');
  if (first !== -1 && last > first) attempts.push(reply.slice(first, last + 1));
  for (const text of attempts) {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // Not this part of the reply; try the next.
    }
  }
  return undefined;
}

function describeErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((e) => {
      const at = e.instancePath === '' ? 'the answer' : e.instancePath;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : e.keyword === 'enum'
            ? ` (${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')})`
            : '';
      return `${at} ${e.message ?? 'is not valid'}${extra}`;
    })
    .join('; ');
}
