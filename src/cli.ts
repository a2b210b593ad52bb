import { COMMAND_NAMES, COMMANDS, FAST_COMMANDS } from './commands/registry.js';
import { CommandFailure, Interrupted, UsageError } from './errors.js';
import { fastParse } from './fast-path.js';
import { explainUsageFailure } from './output/usage-messages.js';
import { version } from './version.js';

/**
 * The single error boundary. Usage errors exit 2 with one line; failures exit 1 with the failing
 * command's details; anything else is a bug, printed with its stack under --verbose.
 */
export async function main(argv: string[]): Promise<void> {
  // `--version` is answered before yargs is even loaded: scripts call it often, and it must start fast.
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${version}\n`);
    return;
  }
  const verbose = argv.includes('--verbose');
  const fast = fastParse(argv, FAST_COMMANDS, COMMAND_NAMES);
  if (fast) {
    try {
      await fast.command.handler(fast.args);
    } catch (error) {
      process.exitCode = report(error, verbose);
    }
    return;
  }
  const { default: yargs } = await import('yargs');
  const cli = yargs(argv)
    .scriptName('git parallel')
    .usage(
      '$0 <task> [options]\n\nRun N coding agents on one prompt, each in its own git worktree, then keep the best.',
    )
    .command(COMMANDS)
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'print stack traces of unexpected errors',
    })
    .strictOptions()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 80))
    // Validation failures come with a message and no error; a failing command comes with its error.
    .fail((message, error) => {
      if (error) throw error;
      // The options of the command that failed: yargs has applied its builder to this same instance.
      const { key, alias } = (cli as unknown as YargsInternals).getOptions();
      const knownOptions = [...Object.keys(key), ...Object.values(alias).flat()];
      throw new UsageError(explainUsageFailure(message, { argv, knownOptions, commandNames: COMMAND_NAMES }));
    });
  try {
    if (argv.length === 0) {
      cli.showHelp('log');
      return;
    }
    await cli.parseAsync();
  } catch (error) {
    process.exitCode = report(error, verbose);
  }
}

/** yargs 18 API that @types/yargs 17 does not describe. */
interface YargsInternals {
  getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> };
}

function report(error: unknown, verbose: boolean): number {
  const err = error instanceof Error ? error : new Error(String(error));
  if (err instanceof UsageError) {
    process.stderr.write(`git parallel: ${err.message}\n`);
    return 2;
  }
  if (err instanceof Interrupted) {
    process.stderr.write(`git parallel: ${err.message}; ${err.remains ?? 'nothing was left behind'}\n`);
    return err.exitCode;
  }
  if (err instanceof CommandFailure) {
    process.stderr.write(`git parallel: ${err.message}\n`);
    if (verbose) for (const line of err.details) process.stderr.write(`  ${line}\n`);
    return 1;
  }
  const refusal = fileSystemRefusal(err);
  if (refusal) {
    process.stderr.write(`git parallel: ${refusal}\n`);
    return 1;
  }
  process.stderr.write(`git parallel: unexpected error: ${err.message}\n`);
  process.stderr.write(
    verbose ? `${err.stack}\n` : 'pass --verbose to see the stack trace, and please report it\n',
  );
  return 1;
}

/**
 * Issue 10 F9: the file system refusing a write (read-only, full, not ours) is the world not cooperating,
 * not a bug: one line that names the path and what to do.
 */
function fileSystemRefusal(err: NodeJS.ErrnoException): string | null {
  const why: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
  };
  const reason = err.code ? why[err.code] : undefined;
  if (!reason || !err.path) return null;
  return `cannot write ${err.path}: ${reason}; free or fix it, then run the command again`;
}
