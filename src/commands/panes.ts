import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { withExamples, withPlainHelp } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withJson } from './options.js';

/**
 * The commands that reach a run's panes and agents: attach, send, and the hidden launch (what each pane
 * runs) and hook-event (what the agents' hooks run).
 * Each handler imports its action only when it runs, so `--help`, `--version` and the read-only
 * commands load no more code than they use.
 */
export const attachCommand: CommandModule<
  object,
  { task: string; restart: boolean; attach: boolean; json: boolean }
> = {
  command: 'attach <task>',
  describe: "go to the run's session; recreate it if it is gone (exited agents restart only with --restart)",
  builder: (yargs) =>
    withJson(withExamples(yargs, 'attach'))
      .positional('task', { type: 'string', demandOption: true })
      .option('restart', { type: 'boolean', default: false, describe: 'start agents that had exited again' })
      .option('attach', {
        type: 'boolean',
        default: true,
        describe: 'attach (--no-attach only recreates the session and prints how)',
      }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { attachRun } = await import('../actions/attach.js');
    const io = commandIo(argv.json);
    await attachRun(argv, { ...io, isTerminal: atTerminal() });
  },
};

export const sendCommand: CommandModule<
  object,
  { task: string; words?: string[]; json: boolean; force: boolean; prompt: boolean }
> = {
  command: 'send <task> [words..]',
  describe:
    'type the same text into every agent (or candidates <n>…) and press Enter: send <task> [<n>…] <text>',
  builder: (yargs) =>
    withJson(withPlainHelp(withExamples(yargs, 'send')))
      .positional('task', { type: 'string', demandOption: true, describe: 'the run' })
      .positional('words', {
        type: 'string',
        array: true,
        describe: 'candidate numbers, then the text (quoted)',
      })
      .option('prompt', {
        type: 'boolean',
        default: false,
        describe: "send the run's prompt again, as given (to an agent that dropped it at its sign-in)",
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'type even into an agent that waits at a permission prompt or dialog',
      }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { parseSendWords, sendText } = await import('../actions/send.js');
    const { targets, text } = parseSendWords((argv.words ?? []).map(String), argv.prompt);
    await sendText(
      { task: argv.task, targets, text, force: argv.force, prompt: argv.prompt },
      commandIo(argv.json),
    );
  },
};

/** Hidden: what each pane runs. */
export const launchCommand: CommandModule<
  object,
  { task: string; n: number; 'state-dir'?: string; resume: boolean; restart: boolean; 'hand-over': boolean }
> = {
  command: 'launch <task> <n>',
  describe: false,
  builder: (yargs) =>
    yargs
      .positional('task', { type: 'string', demandOption: true })
      .positional('n', { type: 'number', demandOption: true })
      .option('state-dir', { type: 'string' })
      .option('resume', { type: 'boolean', default: false })
      .option('restart', { type: 'boolean', default: false })
      .option('hand-over', { type: 'boolean', default: false }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { launch } = await import('../actions/launch.js');
    const args = {
      task: argv.task,
      n: argv.n,
      stateDir: argv['state-dir'],
      resume: argv.resume,
      restart: argv.restart,
      handOver: argv['hand-over'],
    };
    process.exitCode = await launch(args, { cwd: process.cwd(), env: process.env, out: process.stdout });
  },
};

/** Hidden: what the agents' hooks run (io/agent-hooks.ts). */
export const hookEventCommand: CommandModule<
  object,
  { task: string; n: number; event: string; payload?: string; 'state-dir'?: string }
> = {
  command: 'hook-event <task> <n> <event> [payload]',
  describe: false,
  builder: (yargs) =>
    yargs
      .positional('task', { type: 'string', demandOption: true })
      .positional('n', { type: 'number', demandOption: true })
      .positional('event', { type: 'string', demandOption: true })
      .positional('payload', { type: 'string' })
      .option('state-dir', { type: 'string' }),
  handler: async (argv) => {
    const { hookEvent } = await import('../actions/hook-event.js');
    process.exitCode = await hookEvent(
      { task: argv.task, n: argv.n, event: argv.event, payload: argv.payload, stateDir: argv['state-dir'] },
      { cwd: process.cwd(), env: process.env, stdin: process.stdin, stderr: process.stderr },
    );
  },
};
