import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { withExamples, withPlainHelp } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

/**
 * The smaller commands. Each handler imports its action only when it runs, so `--help`, `--version` and
 * the read-only commands load no more code than they use.
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

interface RmArgv {
  tasks: string[];
  force: boolean;
  'keep-branches': boolean;
  archive: boolean;
  'dry-run': boolean;
  json: boolean;
}

export const rmCommand: CommandModule<object, RmArgv> = {
  command: 'rm <tasks..>',
  describe:
    'end the session, remove the worktrees, branches and state (refuses to lose work without --force)',
  builder: (yargs) =>
    withDryRun(withJson(withPlainHelp(withExamples(yargs, 'rm'))))
      .positional('tasks', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'the runs to remove',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'remove even uncommitted work and unmerged commits',
      })
      .option('keep-branches', { type: 'boolean', default: false, describe: 'keep the candidate branches' })
      .option('archive', {
        type: 'boolean',
        default: false,
        describe: "first keep every candidate's final state under refs/git-parallel/<task>/<n>",
      }),
  handler: async (argv) => {
    assertTaskNames(...argv.tasks);
    const { rmRuns } = await import('../actions/rm-run.js');
    await rmRuns(
      {
        tasks: argv.tasks,
        force: argv.force,
        keepBranches: argv['keep-branches'],
        archive: argv.archive,
        dryRun: argv['dry-run'],
      },
      commandIo(argv.json),
    );
  },
};

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
      isTerminal: Boolean(process.stdout.isTTY && process.stdin.isTTY),
      argv0: process.argv0,
      script: process.argv[1],
    });
  },
};

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
    await attachRun(argv, { ...io, isTerminal: Boolean(process.stdout.isTTY && process.stdin.isTTY) });
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
