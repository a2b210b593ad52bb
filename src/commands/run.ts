import type { CommandModule, InferredOptionTypes } from 'yargs';
import { parseIssueReference, taskNameForIssue } from '../core/github-issue.js';
import { assertTaskNames } from '../core/names.js';
import { declaredRunArgs, RUN_OPTIONS } from '../core/run-options.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

/** The parsed command line: the declared options (core/run-options.ts), the task and the shared flags. */
type RunArgv = InferredOptionTypes<typeof RUN_OPTIONS> & { task?: string; 'dry-run': boolean; json: boolean };

export const runCommand: CommandModule<object, RunArgv> = {
  command: ['$0 [task]', 'run [task]'],
  describe: 'start N agents on one prompt, each in its own worktree and branch <task>-<n>',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'run')))
      .positional('task', {
        type: 'string',
        describe: 'names the run, its branches and worktrees (with --issue N: issue-N by default)',
      })
      .options(RUN_OPTIONS),
  handler: async (argv) => {
    const issue = argv.issue === undefined ? undefined : parseIssueReference(argv.issue);
    const task = argv.task ?? (issue ? taskNameForIssue(issue) : undefined);
    if (task === undefined)
      throw new UsageError(
        'give the run a task name, as in git parallel add-auth -p "…", or start it from --issue N',
      );
    assertTaskNames(task);
    const { createRun } = await import('../actions/create-run.js');
    const io = commandIo(argv.json);
    await createRun(
      { ...declaredRunArgs(argv), task, issue, dryRun: argv['dry-run'] },
      { ...io, stdin: process.stdin, isTerminal: atTerminal() },
    );
  },
};
