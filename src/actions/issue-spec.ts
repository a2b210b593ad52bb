import { issuePrompt, type RunIssue } from '../core/github-issue.js';
import type { CreateRunArgs } from '../core/run-options.js';
import { UsageError } from '../errors.js';
import { viewIssue } from '../io/gh.js';

/**
 * Issue 16: `git parallel <task> --issue N` takes the prompt from the issue (title, body, comments, read
 * with `gh issue view`), before anything is created; the run records which issue it was.
 */
export async function readIssueSpec(
  args: CreateRunArgs,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ prompt: string; record: RunIssue }> {
  const reference = args.issue!;
  if (args.prompt !== undefined || args.promptFile !== undefined) {
    throw new UsageError('--issue gives the prompt; leave out --prompt and --prompt-file');
  }
  const issue = await viewIssue(reference, cwd, env);
  return {
    prompt: issuePrompt(issue, reference.number),
    record: {
      number: reference.number,
      title: issue.title,
      url: issue.url ?? null,
      repo: reference.repo,
    },
  };
}
