import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples, withPlainHelp } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

/**
 * The commands that end a run: pick keeps a candidate, rm removes runs, prune drops what is left over.
 * Each handler imports its action only when it runs, so `--help`, `--version` and the read-only
 * commands load no more code than they use.
 */
interface PickArgv {
  task: string;
  n: number;
  merge: boolean;
  squash: boolean;
  rebase: boolean;
  message?: string;
  keep: boolean;
  onto?: string;
  pr: boolean;
  draft: boolean;
  'dry-run': boolean;
  json: boolean;
}

export const pickCommand: CommandModule<object, PickArgv> = {
  command: 'pick <task> <n>',
  describe: 'bring candidate n into the base branch, archive every candidate, remove the run',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'pick')))
      .positional('task', { type: 'string', demandOption: true })
      .positional('n', { type: 'number', demandOption: true, describe: 'the candidate to keep' })
      .option('merge', {
        type: 'boolean',
        default: false,
        describe: 'a merge commit, never a fast-forward (the default)',
      })
      .option('squash', {
        type: 'boolean',
        default: false,
        describe: "one commit with all of the candidate's changes",
      })
      .option('rebase', {
        type: 'boolean',
        default: false,
        describe: "the candidate's commits rebased onto the base, then fast-forwarded",
      })
      .option('message', { alias: 'm', type: 'string', describe: 'the merge or squash commit message' })
      .option('keep', {
        type: 'boolean',
        default: false,
        describe: 'keep the run (worktrees, branches, session) afterwards',
      })
      .option('onto', { type: 'string', describe: 'pick into this branch instead of the run’s base branch' })
      .option('pr', {
        type: 'boolean',
        default: false,
        describe: "push the candidate's branch and open a pull request with gh (the run is kept)",
      })
      .option('draft', { type: 'boolean', default: false, describe: 'with --pr: open it as a draft' }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    if (argv.pr || argv.draft) return pickWithPullRequest(argv);
    const chosen = (['merge', 'squash', 'rebase'] as const).filter((s) => argv[s]);
    if (chosen.length > 1)
      throw new UsageError(
        `choose one of --merge, --squash and --rebase, not ${chosen.map((s) => `--${s}`).join(' and ')}`,
      );
    if (!Number.isInteger(argv.n) || argv.n < 1)
      throw new UsageError(`the candidate must be a number such as 2, got ${JSON.stringify(argv.n)}`);
    const { pick } = await import('../actions/pick.js');
    await pick(
      {
        task: argv.task,
        n: argv.n,
        strategy: chosen[0] ?? 'merge',
        message: argv.message,
        keep: argv.keep,
        onto: argv.onto,
        dryRun: argv['dry-run'],
      },
      commandIo(argv.json),
    );
  },
};

/** `pick --pr`: the options of a local merge have no meaning for a pull request, and are refused. */
async function pickWithPullRequest(argv: PickArgv): Promise<void> {
  if (!argv.pr) throw new UsageError('--draft opens a draft pull request, so it goes with --pr');
  const local = (['merge', 'squash', 'rebase', 'message', 'keep'] as const).filter((s) => argv[s]);
  if (local.length > 0)
    throw new UsageError(
      `--pr opens a pull request and merges nothing here, so ${local.map((s) => `--${s}`).join(' and ')} does not apply`,
    );
  if (!Number.isInteger(argv.n) || argv.n < 1)
    throw new UsageError(`the candidate must be a number such as 2, got ${JSON.stringify(argv.n)}`);
  const { pickAsPullRequest } = await import('../actions/pick-pr.js');
  await pickAsPullRequest(
    { task: argv.task, n: argv.n, onto: argv.onto, draft: argv.draft, dryRun: argv['dry-run'] },
    commandIo(argv.json),
  );
}

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

export const pruneCommand: CommandModule<
  object,
  {
    archives: boolean;
    runs: boolean;
    force: boolean;
    'older-than'?: string;
    'dry-run': boolean;
    json: boolean;
  }
> = {
  command: 'prune',
  describe:
    'clean up: --runs (damaged runs, orphaned worktrees), --archives (refs/git-parallel/…, optionally --older-than 30d)',
  builder: (yargs) =>
    withDryRun(withJson(withExamples(yargs, 'prune')))
      .option('archives', {
        type: 'boolean',
        default: false,
        describe: 'drop archived candidates (refs/git-parallel/…)',
      })
      .option('runs', {
        type: 'boolean',
        default: false,
        describe: 'remove damaged runs and worktrees whose run is gone (never losing work without --force)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'with --runs: remove even work that would be lost',
      })
      .option('older-than', {
        type: 'string',
        describe: 'only those archived longer ago than this, e.g. 30d, 12h, 90m',
      }),
  handler: async (argv) => {
    const { prune } = await import('../actions/prune.js');
    await prune(
      {
        archives: argv.archives,
        runs: argv.runs,
        force: argv.force,
        olderThan: argv['older-than'],
        dryRun: argv['dry-run'],
      },
      commandIo(argv.json),
    );
  },
};
