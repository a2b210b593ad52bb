import type { Argv } from 'yargs';
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { explainUsageFailure } from '../output/usage-messages.js';
import { version } from '../version.js';
import { commandWords } from './command-words.js';
import { helpWidth } from './help-width.js';
import type { YargsInternals } from './introspect.js';
import { COMMANDS } from './registry.js';

/** Every command word and alias (`list`, `rm`…), for naming the command whose usage failed. */
const COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.flatMap(commandWords));

/** The one argv parser: yargs, with every command of the registry. Loaded only once a command line is read. */
export const USAGE =
  '$0 <task> [options]\n\nRun N coding agents on one prompt, each in its own git worktree, then keep the best.';

export const EPILOGUE =
  'git parallel help <command> shows the options of one command, git parallel --help (or man git-parallel) ' +
  'the manual. A task name that is a command or close to one (stauts) starts a run only as git parallel run <task>.';

/**
 * yargs also reads a trailing word `help` as `--help`, so `git parallel rm help` would print help instead of
 * removing the run named help. Its help option is therefore on only when the command line holds the flag
 * itself (before any `--`); `git parallel help [command]` is a command of its own.
 */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export async function createParser(
  argv: readonly string[],
  options: { help: boolean; width?: number },
): Promise<Argv> {
  const cli = yargs([...argv])
    .scriptName('git parallel')
    .usage(USAGE)
    .command(commandsFor(argv))
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'list every command run (on stderr) and print stack traces of unexpected errors',
    })
    // yargs passes the running command's instance as a second argument, which its typings leave out.
    .middleware(refuseRepeatedOptions as never)
    .strictOptions()
    .version(version)
    .help(options.help)
    .epilogue(EPILOGUE)
    .exitProcess(false)
    .detectLocale(false)
    .wrap(options.width ?? helpWidth())
    // Validation failures come with a message and no error; a failing command comes with its error.
    .fail((message, error) => {
      // A parse error of the command line (`--agent` with no name after it, for an option that takes one
      // word) is bad usage, not a bug: yargs hands it over as its own YError.
      if (error && error.name === 'YError' && /^Not enough arguments following: /.test(error.message))
        message = error.message;
      else if (error) throw error;
      // The options of the command that failed: yargs has applied its builder to this same instance.
      const { key, alias } = (cli as unknown as YargsInternals).getOptions();
      const knownOptions = [...Object.keys(key), ...Object.values(alias).flat()];
      throw new UsageError(explainUsageFailure(message, { argv, knownOptions, commandNames: COMMAND_NAMES }));
    });
  // Before running a command yargs renders that command's whole help, in case a failure later shows it; our
  // failures never show help (see .fail above), so that work, a good part of a read command's start, is skipped.
  (cli as unknown as YargsInternals).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  return options.help ? cli.alias('h', 'help') : cli;
}

/**
 * The command definitions yargs needs for this command line: when the first word names a command, that one
 * alone (registering all of them is a quarter of yargs' start-up); otherwise all of them, for the default
 * command (`git parallel <task>`), its task-name check and the list in help. yargs parses either way.
 */
function commandsFor(argv: readonly string[]): typeof COMMANDS {
  const first = argv[0];
  const named = first === undefined ? undefined : COMMANDS.find((c) => commandWords(c).includes(first));
  return named && !named.command?.toString().startsWith('$0') ? [named] : COMMANDS;
}

/**
 * An option that takes one value may be given once: yargs would make `-p a -p b` an array, which a prompt
 * or a ref cannot be. Repeating the same value is harmless; two different values are refused, never merged
 * and never silently reduced to one.
 */
export function refuseRepeatedOptions(argv: Record<string, unknown>, yargs: unknown): void {
  const options = (yargs as YargsInternals).getOptions();
  const arrays = new Set(options.array);
  const longNames = Object.keys(options.key).filter((key) => key.length > 1);
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '--' || arrays.has(key) || !Array.isArray(value)) continue;
    const distinct = [...new Set(value.map((v) => JSON.stringify(v)))];
    if (distinct.length > 1) {
      const name = longNames.find((long) => long === key || options.alias[long]?.includes(key)) ?? key;
      throw new UsageError(
        `--${name} was given ${value.length} times (${distinct.join(', ')}); give it once`,
      );
    }
    argv[key] = value[0];
  }
}

/** `git parallel --help` as yargs renders it at `width` (the build keeps it, see help-width.ts). */
export async function renderTopHelp(width: number): Promise<string> {
  return (await createParser(['--help'], { help: true, width })).getHelp();
}
