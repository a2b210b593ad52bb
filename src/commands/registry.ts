import type { CommandModule } from 'yargs';
import { attachCommand, demoAgentCommand, demoCommand, doctorCommand, launchCommand, listCommand, portsCommand, rmCommand } from './basic.js';
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
  portsCommand,
  rmCommand,
  doctorCommand,
  demoCommand,
  launchCommand,
  demoAgentCommand,
];
