import { describe, expect, it } from 'vitest';
import { answerSchema, checkAnswer, extractJson, type ReviewAnswer } from '../../src/core/review-answer.js';
import { assignLetters, letterAt, scrubberFor, unblindText } from '../../src/core/review-blind.js';
import { cutDiff, fairShares, splitFiles } from '../../src/core/review-budget.js';
import {
  type BlindCandidate,
  fence,
  REVIEW_MARKER,
  renderReviewPrompt,
} from '../../src/core/review-prompt.js';
import {
  bordaPoints,
  combinedRanking,
  combineVerdicts,
  disagreementsOf,
  type ReviewerVerdict,
  reviewCell,
  reviewForCompare,
  unblindAnswer,
  unseenText,
} from '../../src/core/review-verdict.js';

/** A random source that plays back the given values. */
const playback = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('blinding', () => {
  it('letters run A…Z, then AA, AB', () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(letterAt)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA']);
  });

  it('shuffles the candidates over the letters (Fisher–Yates with the given random source)', () => {
    // random 0 at every step moves the last into the first place: [1,2,3] → [2,3,1]
    expect([...assignLetters([1, 2, 3], playback(0))]).toEqual([
      ['A', 2],
      ['B', 3],
      ['C', 1],
    ]);
    // just under 1 keeps every number where it is
    expect([...assignLetters([1, 2, 3], playback(0.999))]).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const letters = assignLetters([1, 2, 3], playback(seed / 50, ((seed * 7) % 50) / 50));
      expect([...letters.values()].sort()).toEqual([1, 2, 3]);
      seen.add([...letters.values()].join(''));
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  const candidates = [
    { n: 1, name: 'auth-1', branch: 'auth-1', worktree: '/w/app-worktrees/auth-1', agent: 'claude' },
    { n: 2, name: 'auth-2', branch: 'feature/auth-2', worktree: '/w/app-worktrees/auth-2', agent: 'codex' },
    { n: 3, name: 'auth-3', branch: 'auth-3', worktree: '/w/app-worktrees/auth-3', agent: 'sh' },
  ];

  it.each([
    ['in /w/app-worktrees/auth-1/src', 'in <worktree>/src'],
    ['on branch feature/auth-2.', 'on branch <candidate>.'],
    ['auth-1 and auth-3 differ', '<candidate> and <candidate> differ'],
    ['Claude wrote this; CODEX too', '<agent> wrote this; <agent> too'],
    // A name that is part of a longer word or name stays: auth-10 is not auth-1.
    ['auth-10 claudette', 'auth-10 claudette'],
    // `sh` is too short to remove from a diff: #!/bin/sh stays.
    ['#!/bin/sh', '#!/bin/sh'],
    ['the task auth', 'the task auth'],
  ])('scrubs %j → %j', (text, scrubbed) => {
    expect(scrubberFor(candidates)(text)).toBe(scrubbed);
  });

  it.each([
    ['candidate B is best', 'candidate 3 is best'],
    ['Candidates A and C agree; candidate B, A or C', 'Candidates 1 and 2 agree; candidate 3, 1 or 2'],
    ['A candidate is A grade', 'A candidate is A grade'],
    ['candidate Q is not one', 'candidate Q is not one'],
    ['candidate Bob', 'candidate Bob'],
  ])('un-blinds %j → %j', (text, plain) => {
    const letters = new Map([
      ['A', 1],
      ['B', 3],
      ['C', 2],
    ]);
    expect(unblindText(text, letters)).toBe(plain);
  });
});

describe('the context budget', () => {
  it('shares fairly: small diffs whole, the rest split evenly', () => {
    expect(fairShares([100, 100], 1000)).toEqual([100, 100]);
    expect(fairShares([100, 5000, 5000], 3100)).toEqual([100, 1500, 1500]);
    expect(fairShares([5000, 100, 800], 1500)).toEqual([700, 100, 700]);
    expect(fairShares([10, 10], -5)).toEqual([0, 0]);
    const shares = fairShares([300, 9000, 1200, 7000], 6000);
    expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(6000);
  });

  const file = (name: string, lines: number) =>
    `diff --git a/${name} b/${name}\n--- a/${name}\n+++ b/${name}\n@@ -0,0 +1,${lines} @@\n${Array.from(
      { length: lines },
      (_, i) => `+line ${i} of ${name}\n`,
    ).join('')}`;

  it('splits a patch by file', () => {
    expect(splitFiles(file('a.js', 1) + file('src/b c.js', 2)).map((f) => f.path)).toEqual([
      'a.js',
      'src/b c.js',
    ]);
    expect(splitFiles('')).toEqual([]);
  });

  it('keeps whole files, smallest first, cuts the next at a line, and names the files it left out', () => {
    const patch = file('a.js', 5) + file('b.js', 100) + file('c.js', 5);
    expect(cutDiff(patch, patch.length)).toEqual({
      text: patch,
      totalChars: patch.length,
      shownChars: patch.length,
      cutFiles: [],
      omittedFiles: [],
    });
    const small = file('a.js', 5).length + file('c.js', 5).length;
    const cut = cutDiff(patch, small + 600);
    // In git's order: a.js whole, the head of b.js (cut at a line), c.js whole.
    expect(cut.text.startsWith(`${file('a.js', 5)}diff --git a/b.js`)).toBe(true);
    expect(cut.text.endsWith(file('c.js', 5))).toBe(true);
    expect(cut.text).toMatch(/\+line \d+ of b\.js\ndiff --git a\/c\.js/);
    expect(cut.shownChars).toBeLessThanOrEqual(small + 600);
    expect(cut.shownChars).toBeGreaterThan(small + 400);
    expect(cut.cutFiles).toEqual(['b.js']);
    expect(cut.omittedFiles).toEqual([]);
    // Too little room to show a useful part of b.js: it is left out whole.
    expect(cutDiff(patch, small + 50)).toMatchObject({
      cutFiles: [],
      omittedFiles: ['b.js'],
      shownChars: small,
    });
    // Room for nothing: every file is named as not shown.
    expect(cutDiff(patch, 0)).toMatchObject({ text: '', omittedFiles: ['a.js', 'b.js', 'c.js'] });
  });

  const blind = (letter: string, patch: string): BlindCandidate => ({
    letter,
    patch,
    files: 1,
    added: 1,
    deleted: 0,
    check: null,
    notes: [],
  });

  it('renders a prompt within its budget that says how much each candidate did not show', () => {
    const small = file('small.js', 3);
    const large = file('large.js', 4000);
    const prompt = renderReviewPrompt({
      task: 'Add login',
      criteria: 'no new dependencies',
      guidelines: { file: 'AGENTS.md', text: 'Be kind.' },
      candidates: [blind('A', large), blind('B', small)],
      schema: answerSchema(['A', 'B']),
      budget: 30_000,
    });
    expect(prompt.text.length).toBeLessThanOrEqual(30_000);
    expect(prompt.text.startsWith(REVIEW_MARKER)).toBe(true);
    expect(prompt.text).toContain(small);
    expect(prompt.text).toContain('no new dependencies');
    expect(prompt.text).toContain('Be kind.');
    expect(prompt.unseen.candidates[1]).toMatchObject({
      letter: 'B',
      shownChars: small.length,
      cutFiles: [],
    });
    const a = prompt.unseen.candidates[0]!;
    expect(a.totalChars).toBe(large.length);
    expect(a.shownChars).toBeLessThan(a.totalChars);
    expect(a.cutFiles).toEqual(['large.js']);
    expect(prompt.text).toContain(
      `left ${a.totalChars - a.shownChars} of this diff's ${a.totalChars} characters unseen`,
    );
  });

  it('fences text so that no backticks in it can close the fence', () => {
    expect(fence('a ``` b', 'diff')).toBe('````diff\na ``` b\n````');
    expect(fence('plain', 'text')).toBe('```text\nplain\n```');
  });
});

describe('the answer schema', () => {
  const letters = ['A', 'B'];
  const good: ReviewAnswer = {
    candidates: [
      { letter: 'A', score: 7, strengths: ['tests'], defects: [], risks: ['migration'] },
      { letter: 'B', score: 4.5, strengths: [], defects: ['no tests'], risks: [] },
    ],
    ranking: ['A', 'B'],
    reasons: 'candidate A is tested',
    synthesis: { wouldBeatBest: true, reason: "B's naming" },
  };

  it('accepts a valid answer, bare, fenced or with words around it', () => {
    for (const reply of [
      JSON.stringify(good),
      `Here you go:\n\`\`\`json\n${JSON.stringify(good, null, 2)}\n\`\`\`\nThanks.`,
      `My verdict: ${JSON.stringify(good)} — done`,
    ]) {
      expect(checkAnswer(reply, letters)).toEqual({ ok: true, answer: good });
    }
  });

  it.each([
    ['no JSON at all', 'B is best', /holds no JSON object/],
    ['a ranking that is not a list', JSON.stringify({ ...good, ranking: 'A' }), /\/ranking must be array/],
    [
      'a score out of range',
      JSON.stringify({ ...good, candidates: [{ ...good.candidates[0]!, score: 11 }, good.candidates[1]] }),
      /score must be <= 10/,
    ],
    [
      'an unknown letter',
      JSON.stringify({ ...good, ranking: ['A', 'Z'] }),
      /must be equal to one of the allowed values \(A, B\)/,
    ],
    [
      'a letter ranked twice',
      JSON.stringify({ ...good, ranking: ['A', 'A'] }),
      /ranking must name every candidate once: B missing, some named twice/,
    ],
    [
      'a candidate scored twice',
      JSON.stringify({ ...good, candidates: [good.candidates[0], good.candidates[0]] }),
      /candidates must name every candidate once: B missing/,
    ],
    [
      'an extra field',
      JSON.stringify({ ...good, winner: 'A' }),
      /must NOT have additional properties \(winner\)/,
    ],
    [
      'a missing field',
      JSON.stringify({ ...good, synthesis: undefined }),
      /must have required property 'synthesis'/,
    ],
  ])('refuses %s, with a one-line reason', (_what, reply, error) => {
    const checked = checkAnswer(reply, letters);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.error).toMatch(error);
      expect(checked.error).not.toContain('\n');
    }
  });

  it('reads the last fenced block when an agent shows an example first', () => {
    expect(extractJson('```json\n{"a":1}\n```\nfinal:\n```json\n{"b":2}\n```')).toEqual({ b: 2 });
    expect(extractJson('[1, 2]')).toBeUndefined();
  });
});

describe('combining reviewers', () => {
  const verdict = (agent: string, ranking: number[], scores: number[], yes = false): ReviewerVerdict => ({
    agent,
    ranking,
    recommended: ranking[0]!,
    reasons: `${agent} likes ${ranking[0]}`,
    synthesis: { wouldBeatBest: yes, reason: `${agent} says ${yes ? 'yes' : 'no'}` },
    candidates: scores.map((score, i) => ({
      number: i + 1,
      score,
      strengths: [`s${i + 1}`],
      defects: [`d${i + 1} by ${agent}`],
      risks: [],
    })),
    attempts: 1,
  });

  it('counts Borda points: k−1 for a first place, 0 for the last', () => {
    expect([...bordaPoints([[2, 1, 3]])].sort()).toEqual([
      [1, 1],
      [2, 2],
      [3, 0],
    ]);
    expect(
      Object.fromEntries(
        bordaPoints([
          [1, 2, 3],
          [2, 3, 1],
          [2, 1, 3],
        ]),
      ),
    ).toEqual({ 1: 3, 2: 5, 3: 1 });
  });

  it('ranks by points, then by mean score, then by the lower number', () => {
    const a = verdict('a', [1, 2, 3], [9, 5, 1]);
    const b = verdict('b', [2, 1, 3], [5, 6, 1]);
    // 1 and 2 both have 3 points; 1's mean score is 7, 2's is 5.5.
    expect(combinedRanking([a, b])).toEqual([1, 2, 3]);
    const c = verdict('c', [2, 1, 3], [9, 5, 1]);
    // 1 and 2 tie on points and mean score (7, 5 → 7; 5, 9 → 7): the lower number first.
    expect(combinedRanking([verdict('a', [1, 2, 3], [5, 9, 1]), c])).toEqual([1, 2, 3]);
  });

  it('names the disagreements: the recommendation, scores 3 or more apart, the synthesis', () => {
    const found = disagreementsOf([
      verdict('claude', [1, 2], [8, 4], true),
      verdict('codex', [2, 1], [4, 6]),
    ]);
    expect(found).toEqual([
      { kind: 'recommended', candidate: null, text: 'recommended: claude 1, codex 2' },
      { kind: 'score', candidate: 1, text: 'candidate 1 scored claude 8, codex 4' },
      { kind: 'synthesis', candidate: null, text: 'a synthesis would beat the best: claude yes, codex no' },
    ]);
    expect(disagreementsOf([verdict('a', [1, 2, 3], [8, 5, 1]), verdict('b', [1, 3, 2], [7, 4, 3])])).toEqual(
      [{ kind: 'ranking', candidate: null, text: 'ranking: a 1 > 2 > 3, b 1 > 3 > 2' }],
    );
    expect(disagreementsOf([verdict('a', [1, 2], [8, 5])])).toEqual([]);
  });

  it('un-blinds an answer and combines the verdicts into the stored document', () => {
    const letters = new Map([
      ['A', 2],
      ['B', 1],
    ]);
    const answer: ReviewAnswer = {
      candidates: [
        { letter: 'A', score: 8, strengths: ['candidate A is small'], defects: [], risks: [] },
        { letter: 'B', score: 3, strengths: [], defects: ['candidate B breaks login'], risks: [] },
      ],
      ranking: ['A', 'B'],
      reasons: 'candidate A over candidate B',
      synthesis: { wouldBeatBest: false, reason: 'nothing in candidate B' },
    };
    const one = unblindAnswer('claude', answer, letters, 2);
    expect(one).toMatchObject({
      ranking: [2, 1],
      recommended: 2,
      reasons: 'candidate 2 over candidate 1',
      attempts: 2,
      candidates: [
        { number: 1, score: 3, defects: ['candidate 1 breaks login'] },
        { number: 2, score: 8, strengths: ['candidate 2 is small'] },
      ],
    });
    const two = verdict('codex', [2, 1], [6, 7], true);
    const combined = combineVerdicts({
      task: 't',
      criteria: null,
      reviewedAt: '2026-01-01T00:00:00.000Z',
      reviewers: [one, two],
      unseen: {
        budgetChars: 1000,
        guidelinesCut: false,
        candidates: [
          { letter: 'A', totalChars: 10, shownChars: 10, cutFiles: [], omittedFiles: [] },
          { letter: 'B', totalChars: 900, shownChars: 400, cutFiles: ['x.js'], omittedFiles: ['y.js'] },
        ],
      },
      letters,
      trees: new Map([
        [1, 'tree1'],
        [2, 'tree2'],
      ]),
    });
    expect(combined).toMatchObject({
      schemaVersion: 1,
      ranking: [2, 1],
      recommended: 2,
      points: { 1: 0, 2: 2 },
      reasons: 'claude: candidate 2 over candidate 1\ncodex: codex likes 2',
      // One of two says yes: not a majority.
      synthesis: { wouldBeatBest: false },
      candidates: [
        { number: 1, score: 4.5, defects: ['candidate 1 breaks login', 'd1 by codex'] },
        { number: 2, score: 7.5, strengths: ['candidate 2 is small', 's2'] },
      ],
      letters: { A: 2, B: 1 },
      trees: { 1: 'tree1', 2: 'tree2' },
    });
    expect(combined.unseen.candidates.map((c) => c.number)).toEqual([1, 2]);
    expect(unseenText(combined.unseen)).toBe(
      'not seen by the reviewers: candidate 1: 500 of 900 characters (x.js cut, y.js)',
    );

    expect(
      reviewForCompare(combined, [
        { n: 1, tree: 'tree1' },
        { n: 2, tree: 'tree2' },
      ]).current,
    ).toBe(true);
    expect(
      reviewForCompare(combined, [
        { n: 1, tree: 'tree1' },
        { n: 2, tree: 'other' },
      ]).current,
    ).toBe(false);
    expect(
      reviewForCompare(combined, [
        { n: 1, tree: 'tree1' },
        { n: 2, tree: 'tree2' },
        { n: 3, tree: 'tree3' },
      ]).current,
    ).toBe(false);
    expect('schemaVersion' in reviewForCompare(combined, [])).toBe(false);
    expect([reviewCell(combined, 2), reviewCell(combined, 1), reviewCell(combined, 9)]).toEqual([
      '1st · 7.5',
      '2nd · 4.5',
      '-',
    ]);
  });
});
