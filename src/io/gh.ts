import { lastLines } from '../core/command-text.js';
import { type GhIssue, type IssueReference, parseGhIssue } from '../core/github-issue.js';
import { CommandFailure, UsageError } from '../errors.js';
import { run } from './exec.js';
import { which } from './which.js';

/**
 * GitHub's own CLI, `gh`, for the issue a run starts from and the pull request a pick opens. Every
 * precondition (gh installed, logged in) is checked before anything changes, and a missing one is a
 * usage error (exit 2) that says what to do.
 */
export async function requireGh(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const gh = await which('gh', cwd, env);
  if (!gh) throw new UsageError('gh (GitHub CLI) is not on PATH; install it from https://cli.github.com');
  return gh;
}

/** `gh auth status` exits non-zero when no account is logged in for the host. */
export async function requireGhLogin(gh: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const status = await run(gh, ['auth', 'status'], { cwd, env, check: false, timeout: 30_000 });
  if (status.exitCode !== 0) {
    const why = lastLines(`${status.stderr}\n${status.stdout}`.trim(), 1).trim();
    throw new UsageError(`gh is not logged in${why ? ` (${why})` : ''}; run gh auth login, then try again`);
  }
}

export async function viewIssue(
  issue: IssueReference,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<GhIssue> {
  const gh = await requireGh(cwd, env);
  const result = await run(gh, ['issue', 'view', issue.argument, '--json', 'title,body,comments,url'], {
    cwd,
    env,
    check: false,
    timeout: 60_000,
  });
  if (result.exitCode !== 0) {
    const why = lastLines(result.stderr.trim(), 1).trim() || `exit code ${result.exitCode}`;
    throw new UsageError(`gh could not read issue ${issue.argument}: ${why}`);
  }
  try {
    return parseGhIssue(result.stdout);
  } catch (error) {
    throw new CommandFailure(`gh issue view ${issue.argument}: ${(error as Error).message}`);
  }
}

export interface PullRequestRequest {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

/** `gh pr create`, the body on stdin (`--body-file -`), never through a shell; returns what gh printed (the URL). */
export async function createPullRequest(
  gh: string,
  request: PullRequestRequest,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const args = ['pr', 'create', '--head', request.head, '--base', request.base, '--title', request.title];
  args.push('--body-file', '-');
  if (request.draft) args.push('--draft');
  const result = await run(gh, args, { cwd, env, input: request.body, check: false, timeout: 120_000 });
  if (result.exitCode !== 0) {
    const why = lastLines(result.stderr.trim(), 3).trim() || `exit code ${result.exitCode}`;
    throw new CommandFailure(`gh pr create failed: ${why}`);
  }
  return result.stdout.trim();
}
