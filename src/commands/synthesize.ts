import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

interface SynthesizeArgv {
  task: string;
  from?: string;
  agent?: string;
  trust: boolean;
  'dry-run': boolean;
  json: boolean;
}

export const synthesizeCommand: CommandModule<object, SynthesizeArgv> = {
  command: 'synthesize <task>',
  describe: 'add one more candidate whose prompt combines the others: their diffs and the review',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'synthesize')))
      .positional('task', { type: 'string', demandOption: true, describe: 'the run' })
      .option('from', {
        type: 'string',
        describe: 'the candidates to combine, such as 2,3 (default: every candidate)',
      })
      .option('agent', {
        alias: 'a',
        type: 'string',
        describe: 'the agent that writes it (default: the agent of the first candidate combined)',
      })
      .option('trust', {
        type: 'boolean',
        default: false,
        describe: "run the repository config's setup commands for it without recording approval",
      }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { synthesize } = await import('../actions/synthesize.js');
    await synthesize(
      {
        task: argv.task,
        from: argv.from === undefined ? undefined : parseCandidateList(argv.from),
        agent: argv.agent,
        trust: argv.trust,
        dryRun: argv['dry-run'],
      },
      commandIo(argv.json),
    );
  },
};

/** `2,3` → [2, 3]: candidate numbers, each once, in the order given. */
export function parseCandidateList(text: string): number[] {
  const words = String(text)
    .split(',')
    .map((w) => w.trim());
  if (words.some((w) => !/^[1-9]\d*$/.test(w)))
    throw new UsageError(
      `--from takes candidate numbers separated by commas, such as 2,3; got ${JSON.stringify(text)}`,
    );
  return [...new Set(words.map(Number))];
}
