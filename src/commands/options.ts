import type { Argv } from 'yargs';

/** Options every command understands. */
export interface GlobalOptions {
  json: boolean;
  verbose: boolean;
}

export function withJson<T>(yargs: Argv<T>) {
  return yargs.option('json', {
    type: 'boolean',
    default: false,
    describe: 'print one JSON document on stdout',
  });
}

export function withDryRun<T>(yargs: Argv<T>) {
  return yargs.option('dry-run', {
    type: 'boolean',
    default: false,
    describe: 'print what would be done, change nothing',
  });
}

export function withTask<T>(yargs: Argv<T>, describe = "the run's task name") {
  return yargs.positional('task', { type: 'string', demandOption: true, describe });
}
