import type { CommandModule } from 'yargs';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { withExamples } from './help-text.js';
import { atTerminal, commandIo } from './io.js';
import { withJson, withTask } from './options.js';

interface CompareArgv {
  task: string;
  check?: string | boolean;
  'check-timeout'?: number;
  rerun: boolean;
  html?: string;
  open: boolean;
  trust?: boolean;
  json: boolean;
}

export const compareCommand: CommandModule<object, CompareArgv> = {
  command: 'compare <task>',
  describe:
    'the candidates side by side: changes, overlap, similarity, checks run in parallel, a ranking, an HTML report',
  builder: (yargs) =>
    withTask(withJson(withExamples(yargs, 'compare')))
      .option('check', {
        type: 'string',
        describe:
          'a shell command run in every worktree at once, e.g. "npm test" (default: check in config; --no-check runs none)',
      })
      .option('check-timeout', {
        type: 'number',
        describe: 'seconds before a check is stopped (default: checkTimeout in config, 900)',
      })
      .option('rerun', {
        type: 'boolean',
        default: false,
        describe: 'run the checks again even when recorded results are current',
      })
      .option('html', { type: 'string', describe: 'write a self-contained HTML report to this file' })
      .option('open', {
        type: 'boolean',
        default: false,
        describe: 'open the HTML report (written to the run state without --html)',
      })
      .option('trust', {
        type: 'boolean',
        describe: "approve the repository config's check for this run only",
      }),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { compare } = await import('../actions/compare.js');
    const io = commandIo(argv.json);
    // yargs gives `--no-check` as false and a bare `--check` as ''; the action rejects the empty command.
    const check = argv.check === false ? false : argv.check === true ? '' : argv.check;
    await compare(
      {
        task: argv.task,
        check,
        checkTimeout: argv['check-timeout'],
        rerun: argv.rerun,
        html: argv.html,
        open: argv.open,
        trust: argv.trust,
      },
      {
        ...io,
        progress: process.stderr,
        stdin: process.stdin,
        isTerminal: atTerminal(),
      },
    );
  },
};

interface DiffArgv {
  task: string;
  n?: number;
  m?: number;
  file?: string;
  '--'?: (string | number)[];
}

export const diffCommand: CommandModule<object, DiffArgv> = {
  command: 'diff <task> [n] [m]',
  describe: "candidate n's whole change against the base (or against candidate m), through your git pager",
  builder: (yargs) =>
    withTask(withExamples(yargs, 'diff'))
      .positional('n', { type: 'number', describe: 'the candidate' })
      .option('file', {
        type: 'string',
        describe:
          'this file (from the top of the repository) in every candidate that changed it, side by side',
      })
      .positional('m', { type: 'number', describe: 'compare with this candidate instead of the base' })
      .parserConfiguration({ 'populate--': true })
      .epilogue(
        'Arguments after -- go to git diff: git parallel diff add-auth 2 -- --stat, or -- src/ for paths.',
      ),
  handler: async (argv) => {
    assertTaskNames(argv.task);
    const { diffCandidates, diffFileAcross } = await import('../actions/diff.js');
    if (argv.file !== undefined) {
      if (argv.n !== undefined)
        throw new UsageError('--file shows every candidate: give no candidate number');
      process.exitCode = await diffFileAcross(
        { task: argv.task, file: argv.file },
        { cwd: process.cwd(), env: process.env },
      );
      return;
    }
    if (argv.n === undefined) {
      throw new UsageError('diff needs a candidate number (diff <task> 2) or --file PATH');
    }
    const gitArgs = (argv['--'] ?? []).map(String);
    process.exitCode = await diffCandidates(
      { task: argv.task, n: argv.n, m: argv.m, gitArgs },
      { cwd: process.cwd(), env: process.env },
    );
  },
};
