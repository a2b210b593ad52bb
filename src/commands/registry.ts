import type { CommandModule } from 'yargs';
import { commandWords, refuseCommandLikeTask } from './command-words.js';
import { compareCommand, diffCommand } from './compare.js';
import { pickCommand, pruneCommand, rmCommand } from './finish.js';
import { completeCommand, completionCommand, helpCommand, versionCommand } from './help.js';
import { attachCommand, hookEventCommand, launchCommand, sendCommand } from './panes.js';
import { initCommand, trustCommand } from './prepare.js';
import { reviewCommand } from './review.js';
import { runCommand } from './run.js';
import { synthesizeCommand } from './synthesize.js';
import { demoAgentCommand, demoCommand, doctorCommand } from './try-out.js';
import { listCommand, portsCommand, statusCommand } from './view.js';

/**
 * `git parallel <task>` is `git parallel run <task>`, except that a task name that is a command, or close to
 * one (`stauts`, `help`, `show`), is refused unless the run is asked for with `run`.
 */
const runByDefault: typeof runCommand = {
  ...runCommand,
  handler: (argv) => {
    if (argv._[0] !== 'run' && argv.task !== undefined) {
      refuseCommandLikeTask(argv.task, COMMANDS.filter((c) => c.describe !== false).flatMap(commandWords));
    }
    return runCommand.handler(argv);
  },
};

/**
 * Every command, in the order `--help` lists them. A command module is small (its options and a lazy
 * import of its action), so listing them all costs little at start-up.
 */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types.
export const COMMANDS: CommandModule<any, any>[] = [
  runByDefault,
  attachCommand,
  listCommand,
  statusCommand,
  sendCommand,
  portsCommand,
  compareCommand,
  diffCommand,
  reviewCommand,
  synthesizeCommand,
  pickCommand,
  rmCommand,
  pruneCommand,
  initCommand,
  trustCommand,
  doctorCommand,
  demoCommand,
  helpCommand,
  versionCommand,
  completionCommand,
  launchCommand,
  demoAgentCommand,
  hookEventCommand,
  completeCommand,
];
