import type { CommandModule } from 'yargs';
import { withExamples } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

/** The commands of ready-to-run worktrees: approving a repository's commands, and a starter config. */
export const trustCommand: CommandModule<object, { revoke: boolean; 'dry-run': boolean; json: boolean }> = {
  command: 'trust',
  describe:
    "show the commands this repository's config would run (setup, hooks, agents, check) and approve them (--json only shows them)",
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'trust'))).option('revoke', {
      type: 'boolean',
      default: false,
      describe: "forget this repository's approvals",
    }),
  handler: async (argv) => {
    const { trust } = await import('../actions/trust.js');
    await trust({ dryRun: argv['dry-run'], revoke: argv.revoke }, commandIo(argv.json));
  },
};

export const initCommand: CommandModule<
  object,
  { format: string; force: boolean; 'dry-run': boolean; json: boolean }
> = {
  command: 'init',
  describe:
    'detect the project (package manager, .env files, SQLite, scripts) and write a commented starter config',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'init')))
      .option('format', {
        type: 'string',
        default: 'js',
        describe: 'js (git-parallel.config.js), json or yaml',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'replace an existing config file of that name',
      }),
  handler: async (argv) => {
    const { init } = await import('../actions/init.js');
    await init({ format: argv.format, force: argv.force, dryRun: argv['dry-run'] }, commandIo(argv.json));
  },
};
