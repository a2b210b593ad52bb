import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson, withTask } from './options.js';

interface ReviewArgv {
  task: string;
  agent?: string | string[];
  criteria?: string;
  budget?: number;
  timeout?: number;
  'dry-run': boolean;
  json: boolean;
}

export const reviewCommand: CommandModule<object, ReviewArgv> = {
  command: 'review <task>',
  describe:
    'fresh agents judge the candidates blind, answer in a schema, and are combined into a verdict compare shows',
  builder: (yargs) =>
    withTask(withDryRun(withJson(withExamples(yargs, 'review'))))
      .option('agent', {
        alias: 'a',
        type: 'string',
        // Repeatable, one name per --agent (nargs 1), so `--agent codex t` never takes the task as a reviewer.
        array: true,
        nargs: 1,
        describe:
          'a reviewing agent, in its one-shot mode; repeat for several (default: an installed agent that wrote no candidate)',
      })
      .option('criteria', {
        type: 'string',
        describe: 'what else to judge by, e.g. "prefer no new dependencies"',
      })
      .option('budget', {
        type: 'number',
        describe: 'characters the prompt may take; larger diffs are cut fairly (default 200000)',
      })
      .option('timeout', {
        type: 'number',
        describe: 'seconds each reviewer may take per answer (default 900)',
      }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const agents = argv.agent === undefined ? [] : [argv.agent].flat().map(String);
    if (agents.some((a) => a.trim() === ''))
      throw new UsageError('--agent needs an agent name, such as --agent codex');
    const { review } = await import('../actions/review.js');
    await review(
      {
        task: argv.task,
        agents,
        criteria: argv.criteria,
        budget: argv.budget,
        timeout: argv.timeout,
        dryRun: argv['dry-run'],
      },
      commandIo(argv.json),
    );
  },
};
