import type { CommandModule } from 'yargs';
import type { FastCommand } from '../fast-path.js';
import { hookEventCommand, pickCommand, pruneCommand, sendCommand, statusCommand } from './after.js';
import {
  attachCommand,
  demoAgentCommand,
  demoCommand,
  doctorCommand,
  launchCommand,
  listCommand,
  portsCommand,
  rmCommand,
} from './basic.js';
import { compareCommand, diffCommand } from './compare.js';
import { initCommand, trustCommand } from './prepare.js';
import { runCommand } from './run.js';

/**
 * Every command, in the order `--help` lists them. A command module is small (its options and a lazy
 * import of its action), so listing them all costs little at start-up.
 */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types.
export const COMMANDS: CommandModule<any, any>[] = [
  runCommand,
  attachCommand,
  listCommand,
  statusCommand,
  sendCommand,
  portsCommand,
  compareCommand,
  diffCommand,
  pickCommand,
  rmCommand,
  pruneCommand,
  initCommand,
  trustCommand,
  doctorCommand,
  demoCommand,
  launchCommand,
  demoAgentCommand,
  hookEventCommand,
];

const json = { json: { type: 'boolean' } } as const;

/** The read-only commands that start without yargs (see src/fast-path.ts): same handlers, same argv shape. */
export const FAST_COMMANDS: Record<string, FastCommand> = {
  list: { positionals: [], options: json, handler: (argv) => listCommand.handler(argv as never) },
  ls: { positionals: [], options: json, handler: (argv) => listCommand.handler(argv as never) },
  ports: { positionals: ['task'], options: json, handler: (argv) => portsCommand.handler(argv as never) },
  // `--interval` (a number) is left to yargs.
  status: {
    positionals: ['task'],
    options: { ...json, watch: { type: 'boolean', short: 'w' } },
    handler: (argv) => statusCommand.handler({ interval: 2, ...argv } as never),
  },
};
