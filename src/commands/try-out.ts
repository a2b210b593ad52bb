import type { CommandModule } from 'yargs';
import { withExamples } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withJson } from './options.js';

/**
 * The commands for a first look: doctor checks the machine, demo tries the whole flow, and the hidden
 * demo-agent is its canned agent.
 * Each handler imports its action only when it runs, so `--help`, `--version` and the read-only
 * commands load no more code than they use.
 */
export const doctorCommand: CommandModule<object, { json: boolean }> = {
  command: 'doctor',
  describe: 'check git, tmux, zellij and every agent: found, version, what to do',
  builder: (yargs) => withJson(withExamples(yargs, 'doctor')),
  handler: async (argv) => {
    const { doctor } = await import('../actions/doctor.js');
    process.exitCode = await doctor(commandIo(argv.json));
  },
};

export const demoCommand: CommandModule<
  object,
  { attach: boolean; mux?: string; clean: boolean; json: boolean }
> = {
  command: 'demo',
  describe: 'try the whole flow in a throwaway repository with a canned demo agent (no AI, no API key)',
  builder: (yargs) =>
    withJson(withExamples(yargs, 'demo'))
      .option('attach', {
        type: 'boolean',
        default: true,
        describe: 'attach to the session (--no-attach prints how)',
      })
      .option('mux', { type: 'string', describe: 'tmux, zellij or none' })
      .option('clean', {
        type: 'boolean',
        default: false,
        describe: 'remove the demo (its repository, worktrees and session) and start nothing',
      }),
  handler: async (argv) => {
    const { demo } = await import('../actions/demo.js');
    const io = commandIo(argv.json);
    await demo(argv, {
      ...io,
      isTerminal: atTerminal(),
      argv0: process.argv0,
      script: process.argv[1],
    });
  },
};

/** Hidden: the canned agent of `git parallel demo`. */
export const demoAgentCommand: CommandModule<object, { prompt?: string }> = {
  command: 'demo-agent [prompt]',
  describe: false,
  builder: (yargs) => yargs.positional('prompt', { type: 'string' }),
  handler: async (argv) => {
    const { demoAgent } = await import('../actions/demo.js');
    await demoAgent(argv.prompt, { cwd: process.cwd(), env: process.env, out: process.stdout });
  },
};
