import { describe, expect, it } from 'vitest';
import {
  issuePrompt,
  parseGhIssue,
  parseIssueReference,
  taskNameForIssue,
} from '../../src/core/github-issue.js';
import { pullRequestBody, pullRequestTitle } from '../../src/core/pull-request.js';
import { parseStoredReview } from '../../src/core/stored-review.js';
import type { RunManifest } from '../../src/core/types.js';

describe('parseIssueReference', () => {
  it.each([
    ['7', { number: 7, repo: null, argument: '7' }],
    ['#12', { number: 12, repo: null, argument: '12' }],
    [
      'https://github.com/o/r/issues/3',
      { number: 3, repo: 'o/r', argument: 'https://github.com/o/r/issues/3' },
    ],
    [
      'https://github.example.com/o/r/issues/3#issuecomment-1',
      { number: 3, repo: 'o/r', argument: 'https://github.example.com/o/r/issues/3#issuecomment-1' },
    ],
  ])('%s', (text, expected) => expect(parseIssueReference(text)).toEqual(expected));

  it.each(['0', 'seven', '', 'https://github.com/o/r/pull/3', '7 8'])('refuses %j', (text) =>
    expect(() => parseIssueReference(text)).toThrow(/--issue takes an issue number or URL/));

  it('names the task issue-N', () => expect(taskNameForIssue(parseIssueReference('#42'))).toBe('issue-42'));
});

describe('issuePrompt', () => {
  it('holds the title, the body and every non-empty comment with its author', () => {
    const issue = parseGhIssue(
      JSON.stringify({
        title: ' Crash ',
        body: 'It crashes.\n',
        comments: [{ author: { login: 'a' }, body: 'me too' }, { author: null, body: 'x' }, { body: ' ' }],
      }),
    );
    expect(issuePrompt(issue, 5)).toBe(
      '# Crash (issue #5)\n\nIt crashes.\n\n## Comments\n\n@a wrote:\n\nme too\n\nsomeone wrote:\n\nx\n',
    );
  });
  it('says when the issue has no body', () =>
    expect(issuePrompt({ title: 'T', body: '' }, 1)).toBe(
      '# T (issue #1)\n\n(The issue has no description.)\n',
    ));
  it('refuses an answer that is not an issue', () => {
    expect(() => parseGhIssue('not json')).toThrow(/did not print JSON/);
    expect(() => parseGhIssue('{"body":"x"}')).toThrow(/no issue title/);
  });
});

describe('pull request title and body', () => {
  const manifest = {
    task: 'login',
    candidates: [
      { n: 1, agent: 'claude' },
      { n: 2, agent: 'codex' },
    ],
  } as unknown as RunManifest;
  it('titles it after the issue, else the prompt’s first line, else the task', () => {
    expect(
      pullRequestTitle({ ...manifest, issue: { number: 1, title: 'Fix it', url: null, repo: null } }, 'x'),
    ).toBe('Fix it');
    expect(pullRequestTitle(manifest, '\n# Add login\nwith sessions')).toBe('Add login');
    expect(pullRequestTitle(manifest, `${'a'.repeat(100)}`)).toHaveLength(72);
    expect(pullRequestTitle(manifest, null)).toBe('login');
  });
  it('without a review or an issue: the summary only', () => {
    const body = pullRequestBody({
      manifest,
      winner: 1,
      summaries: [
        { n: 1, agent: 'claude', files: 2, added: 10, deleted: 1, check: 'passed' },
        { n: 2, agent: 'codex', files: 1, added: 3, deleted: 0, check: null },
      ],
      checkCommand: 'npm test',
      review: null,
    });
    expect(body).toBe(
      [
        'Candidate 1 (claude) of 2, chosen with git parallel from the run `login`.',
        '',
        '### Compare',
        '',
        '| candidate | agent | files | lines | check (`npm test`) |',
        '|---|---|---|---|---|',
        '| **1** (picked) | claude | 2 | +10 −1 | passed |',
        '| 2 | codex | 1 | +3 −0 | not run |',
        '',
      ].join('\n'),
    );
  });
  it('closes an issue of another repository by its full name', () => {
    const body = pullRequestBody({
      manifest: { ...manifest, issue: { number: 9, title: 't', url: null, repo: 'o/r' } },
      winner: 2,
      summaries: [],
      checkCommand: null,
      review: parseStoredReview('{"candidates":[{"number":2,"score":9,"strengths":["s"]}],"recommended":2}'),
    });
    expect(body).toContain('Recommended: candidate 2.\n\nScore of candidate 2: 9.\n\nStrengths:\n- s\n');
    expect(body.trimEnd().endsWith('Closes o/r#9')).toBe(true);
  });
  it('reads a damaged review file as none', () => {
    expect(parseStoredReview('{')).toBeNull();
    expect(parseStoredReview('{"candidates":3}')).toBeNull();
    expect(parseStoredReview('{"candidates":[{"number":"1"}],"ranking":[{"number":2},3]}')).toEqual({
      candidates: [],
      ranking: [2, 3],
      recommended: null,
      reasons: '',
    });
  });
});
