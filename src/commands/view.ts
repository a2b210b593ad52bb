import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withJson } from './options.js';

/**
 * The commands that show runs without changing them: list, ports and status.
 * Each handler imports its action only when it runs, so `--help`, `--version` and the read-only
 * commands load no more code than they use.
 */
export const listCommand: CommandModule<object, { json: boolean }> = {
  command: ['list', 'ls'],
  describe: 'one line per run: task, agents, base, age, whether its session is alive',
  builder: (yargs) => withJson(withExamples(yargs, 'list')),
  handler: async (argv) => {
    const { listRuns } = await import('../actions/list-runs.js');
    await listRuns(commandIo(argv.json));
  },
};

export const portsCommand: CommandModule<object, { task?: string; json: boolean }> = {
  command: 'ports [task]',
  describe: "every candidate's ports (of one run, or of all)",
  builder: (yargs) => withJson(withExamples(yargs, 'ports')).positional('task', { type: 'string' }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { showPorts } = await import('../actions/show-ports.js');
    await showPorts(argv.task, commandIo(argv.json));
  },
};

interface StatusArgv {
  task?: string;
  watch: boolean;
  interval: number;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgv> = {
  command: 'status [task]',
  describe:
    'what every agent is doing: state, time, commits, changed files, lines, ports (all runs without a task)',
  builder: (yargs) =>
    withJson(withExamples(yargs, 'status'))
      .positional('task', { type: 'string', describe: 'the run (default: a summary of every run)' })
      .option('watch', {
        alias: 'w',
        type: 'boolean',
        default: false,
        describe: 'keep watching until every agent has finished; ring the bell when one waits and at the end',
      })
      .option('interval', { type: 'number', default: 2, describe: 'seconds between --watch refreshes' }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    if (!(argv.interval > 0))
      throw new UsageError(`--interval must be a number of seconds above 0, got ${argv.interval}`);
    const { showStatus } = await import('../actions/status.js');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await showStatus(
        { task: argv.task, watch: argv.watch, interval: argv.interval },
        {
          ...commandIo(argv.json),
          out: process.stdout,
          isTerminal: atTerminal(),
          signal: controller.signal,
        },
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
