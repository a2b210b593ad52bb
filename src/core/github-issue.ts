import { UsageError } from '../errors.js';

/** An issue named on the command line: `7`, `#7`, or `https://github.com/<owner>/<repo>/issues/7`. */
export interface IssueReference {
  number: number;
  /** `owner/repo` when the issue was given as a URL (gh is then told which repository). */
  repo: string | null;
  /** What gh is given to name the issue: the number, or the URL as the user wrote it. */
  argument: string;
}

/** What `gh issue view --json title,body,comments,url` answers (the fields read from it). */
export interface GhIssue {
  title: string;
  body: string;
  url?: string;
  comments?: { author?: { login?: string } | null; body?: string }[];
}

/** The issue a run came from, as run.json records it (for `pick --pr`'s "Closes #N"). */
export interface RunIssue {
  number: number;
  title: string;
  url: string | null;
  repo: string | null;
}

const ISSUE_URL = /^https?:\/\/[^/\s]+\/([^/\s]+\/[^/\s]+)\/issues\/(\d+)\/?(?:[#?].*)?$/;

export function parseIssueReference(text: string): IssueReference {
  const trimmed = text.trim();
  const plain = /^#?(\d+)$/.exec(trimmed);
  if (plain && Number(plain[1]) > 0) return { number: Number(plain[1]), repo: null, argument: plain[1]! };
  const url = ISSUE_URL.exec(trimmed);
  if (url && Number(url[2]) > 0) return { number: Number(url[2]), repo: url[1]!, argument: trimmed };
  throw new UsageError(
    `--issue takes an issue number or URL, such as 7 or https://github.com/owner/repo/issues/7; got ${JSON.stringify(text)}`,
  );
}

/** The task name of a run started from an issue when none is given: `issue-<N>`. */
export function taskNameForIssue(issue: IssueReference): string {
  return `issue-${issue.number}`;
}

/**
 * The prompt every agent gets for an issue: its title, its body and its comments in order, each comment
 * with its author, because the discussion often settles what the body left open.
 */
export function issuePrompt(issue: GhIssue, number: number): string {
  const parts = [`# ${issue.title.trim()} (issue #${number})`];
  const body = (issue.body ?? '').trim();
  parts.push(body === '' ? '(The issue has no description.)' : body);
  const comments = (issue.comments ?? []).filter((c) => (c.body ?? '').trim() !== '');
  if (comments.length > 0) {
    parts.push('## Comments');
    for (const comment of comments) {
      const author = comment.author?.login ? `@${comment.author.login}` : 'someone';
      parts.push(`${author} wrote:\n\n${comment.body!.trim()}`);
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** Reads gh's JSON answer; anything without a title is not an issue and is reported, not guessed at. */
export function parseGhIssue(text: string): GhIssue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('gh issue view did not print JSON');
  }
  const issue = value as Partial<GhIssue> | null;
  if (!issue || typeof issue.title !== 'string') throw new Error('gh issue view printed no issue title');
  return {
    title: issue.title,
    body: typeof issue.body === 'string' ? issue.body : '',
    ...(typeof issue.url === 'string' ? { url: issue.url } : {}),
    comments: Array.isArray(issue.comments) ? issue.comments : [],
  };
}
