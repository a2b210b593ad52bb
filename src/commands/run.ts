import type { CommandModule } from 'yargs';
import { parseIssueReference, taskNameForIssue } from '../core/github-issue.js';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

interface RunArgv {
  task?: string;
  issue?: string;
  agents?: string;
  agent?: string;
  prompt?: string;
  'prompt-file'?: string;
  base?: string;
  yolo?: boolean;
  sandbox?: boolean;
  model?: string;
  mux?: string;
  layout?: string;
  tab?: boolean;
  attach: boolean;
  'strict-setup': boolean;
  trust: boolean;
  'dry-run': boolean;
  json: boolean;
}

export const runCommand: CommandModule<object, RunArgv> = {
  command: ['$0 [task]', 'run [task]'],
  describe: 'start N agents on one prompt, each in its own worktree and branch <task>-<n>',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'run')))
      .positional('task', {
        type: 'string',
        describe: 'names the run, its branches and worktrees (with --issue N: issue-N by default)',
      })
      .option('issue', {
        type: 'string',
        describe: 'take the prompt from a GitHub issue (number or URL) with gh, and record it in the run',
      })
      .option('agents', {
        alias: 'n',
        type: 'string',
        describe: 'how many agents (default 3), or a line-up such as claude:2,codex:1',
      })
      .option('agent', { alias: 'a', type: 'string', describe: 'the default agent (default claude)' })
      .option('prompt', { alias: 'p', type: 'string', describe: 'the prompt every agent gets' })
      .option('prompt-file', {
        alias: 'f',
        type: 'string',
        describe: 'read the prompt from a file (- for stdin)',
      })
      .option('base', { type: 'string', describe: 'start from this ref instead of the current HEAD' })
      .option('yolo', { type: 'boolean', describe: "add each agent's skip-permission flags" })
      .option('sandbox', {
        type: 'boolean',
        describe:
          'start each agent in a sandbox that can write only its own worktree and branch (bubblewrap)',
      })
      .option('model', { type: 'string', describe: "pass a model to each agent's model flag" })
      .option('mux', {
        type: 'string',
        describe: 'tmux, zellij or none (default: the one you are in, else config, else tmux)',
      })
      .option('layout', { type: 'string', describe: 'tiled (default), columns, rows or tabs' })
      .option('tab', {
        type: 'boolean',
        describe: 'inside Zellij: open the run as a new tab of the current session',
      })
      .option('attach', {
        type: 'boolean',
        default: true,
        describe: 'attach to the session (--no-attach prints how)',
      })
      .option('strict-setup', {
        type: 'boolean',
        default: false,
        describe: "abort the run when any candidate's setup fails (default: start the others)",
      })
      .option('trust', {
        type: 'boolean',
        default: false,
        describe: "run the repository config's commands for this run without recording approval",
      }),
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
      {
        task,
        issue,
        agents: argv.agents,
        agent: argv.agent,
        prompt: argv.prompt,
        promptFile: argv['prompt-file'],
        base: argv.base,
        yolo: argv.yolo,
        sandbox: argv.sandbox,
        model: argv.model,
        mux: argv.mux,
        layout: argv.layout,
        tab: argv.tab,
        attach: argv.attach,
        strictSetup: argv['strict-setup'],
        trust: argv.trust,
        dryRun: argv['dry-run'],
      },
      { ...io, stdin: process.stdin, isTerminal: atTerminal() },
    );
  },
};
