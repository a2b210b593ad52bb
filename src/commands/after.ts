import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples, withPlainHelp } from './help-text.js';
import { commandIo } from './io.js';
import { withDryRun, withJson } from './options.js';

/**
 * The commands for after the agents started: status, send, pick, prune, and the hidden hook-event
 * that agents' hooks call. Each handler imports its action only when it runs.
 */
interface StatusArgv {
  task?: string;
  watch: boolean;
  interval: number;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgv> = {
  command: 'status [task]',
  describe:
    'what every agent is doing: state, time, commits, changed files, lines, ports (all runs without a task)',
  builder: (yargs) =>
    withJson(withExamples(yargs, 'status'))
      .positional('task', { type: 'string', describe: 'the run (default: a summary of every run)' })
      .option('watch', {
        alias: 'w',
        type: 'boolean',
        default: false,
        describe: 'keep watching until every agent has finished; ring the bell when one waits and at the end',
      })
      .option('interval', { type: 'number', default: 2, describe: 'seconds between --watch refreshes' }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    if (!(argv.interval > 0))
      throw new UsageError(`--interval must be a number of seconds above 0, got ${argv.interval}`);
    const { showStatus } = await import('../actions/status.js');
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await showStatus(
        { task: argv.task, watch: argv.watch, interval: argv.interval },
        {
          ...commandIo(argv.json),
          out: process.stdout,
          isTerminal: Boolean(process.stdout.isTTY),
          signal: controller.signal,
        },
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
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
