import { helpWidth, prerenderedHelp } from './commands/help-width.js';
import { CommandFailure, Interrupted, UsageError } from './errors.js';

/**
 * The single error boundary. Usage errors exit 2 with one line; failures exit 1 with the failing
 * command's details; anything else is a bug, printed with its stack under --verbose, which also lists
 * every command run (io/command-log.ts).
 * yargs parses every command line (src/commands/parser.ts); start-up stays fast because the bundle is
 * small and every command loads its action only when it runs.
 */
export async function main(argv: string[]): Promise<void> {
  stopQuietlyWhenOutputCloses();
  // Before `--` only: what follows is the agent's own command line.
  const end = argv.indexOf('--');
  const verbose = (end === -1 ? argv : argv.slice(0, end)).includes('--verbose');
  try {
    // `git parallel --help` alone: the text the build rendered with the same parser, without loading yargs.
    if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
      const text = await prerenderedHelp(helpWidth());
      if (text !== null) {
        process.stdout.write(`${text}\n`);
        return;
      }
    }
    // `git parallel --version` alone: the number yargs' .version() would print, without loading yargs (a
    // third of this command's start, issue 18). Any other use of --version still goes through yargs.
    if (argv.length === 1 && argv[0] === '--version') {
      const { version } = await import('./version.js');
      process.stdout.write(`${version}\n`);
      return;
    }
    const { asksForHelp, createParser } = await import('./commands/parser.js');
    if (argv.length === 0) {
      (await createParser([], { help: true })).showHelp('log');
      return;
    }
    const parse = async () => {
      await (await createParser(argv, { help: asksForHelp(argv) })).parseAsync();
    };
    if (!verbose) return await parse();
    const { withCommandLog } = await import('./io/command-log.js');
    await withCommandLog((line) => process.stderr.write(`${line}\n`), parse);
  } catch (error) {
    process.exitCode = report(error, verbose);
  }
}

/**
 * `git parallel compare t | head -1`: when the reader goes away, stop quietly with the status git gets
 * from SIGPIPE (141), as git does, instead of Node's unhandled EPIPE stack.
 */
function stopQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(141);
    });
  }
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
