import type { CommandModule } from 'yargs';
import { DEFAULT_COMMAND, type FastCommand } from '../fast-path.js';
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

/** The read-only commands and the run itself start without yargs (see src/fast-path.ts). */
export const FAST_COMMANDS: Record<string, FastCommand> = {
  [DEFAULT_COMMAND]: {
    positionals: ['task'],
    options: {
      ...json,
      agents: { type: 'string', short: 'n' },
      agent: { type: 'string', short: 'a' },
      prompt: { type: 'string', short: 'p' },
      'prompt-file': { type: 'string', short: 'f' },
      base: { type: 'string' },
      yolo: { type: 'boolean' },
      model: { type: 'string' },
      mux: { type: 'string' },
      layout: { type: 'string' },
      tab: { type: 'boolean' },
      'no-attach': { type: 'boolean' },
      'strict-setup': { type: 'boolean' },
      trust: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
    defaults: { json: false, 'dry-run': false },
    handler: ({ 'no-attach': noAttach, ...argv }) =>
      runCommand.handler({ ...argv, attach: !noAttach } as never),
  },
  list: {
    positionals: [],
    options: json,
    defaults: { json: false },
    handler: (argv) => listCommand.handler(argv as never),
  },
  ls: {
    positionals: [],
    options: json,
    defaults: { json: false },
    handler: (argv) => listCommand.handler(argv as never),
  },
  ports: {
    positionals: ['task'],
    options: json,
    defaults: { json: false },
    handler: (argv) => portsCommand.handler(argv as never),
  },
  // `--interval` (a number) is left to yargs.
  status: {
    positionals: ['task'],
    options: { ...json, watch: { type: 'boolean', short: 'w' } },
    defaults: { json: false, watch: false },
    handler: (argv) => statusCommand.handler({ interval: 2, ...argv } as never),
  },
};

/** Every word yargs reads as a command name (and so never as a task name). */
export const COMMAND_NAMES: ReadonlySet<string> = new Set(
  COMMANDS.flatMap((command) => [command.command ?? [], command.aliases ?? []].flat()).map(
    (text) => String(text).split(' ')[0]!,
  ),
);
