import { createReporter, type Reporter } from '../../src/output/reporter.js';

/** What an action receives from its command (src/commands/io.ts), given here by the test. */
export interface ActionIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}

export interface ActionResult<T> {
  /** What the action returned (doctor's exit status, for one). */
  value: T;
  stdout: string;
  stderr: string;
}

/**
 * Calls an action in this process as its command would, with the real reporter writing into strings
 * instead of the process's streams, and an explicit cwd and env (the test process's, which
 * test/helpers/setup.ts cleaned, plus `env`, as runCli gives the CLI). No process starts and no build is
 * run, so a test of what an action does, and not of the command line around it, is quicker. An error
 * is thrown as the action throws it: exit codes and their one-line messages are the CLI's (src/cli.ts),
 * tested by spawning it (test/helpers/cli.ts).
 */
export async function callAction<T>(
  action: (io: ActionIo) => Promise<T>,
  options: { cwd: string; env?: NodeJS.ProcessEnv; json?: boolean },
): Promise<ActionResult<T>> {
  const stdout = textStream();
  const stderr = textStream();
  const env = { ...process.env, ...options.env };
  const reporter = createReporter({
    json: options.json ?? false,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
  });
  const value = await action({ cwd: options.cwd, env, reporter });
  return { value, stdout: stdout.text(), stderr: stderr.text() };
}

/** A stream that is not a terminal (so no colour, as under runCli) and keeps what is written to it. */
function textStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  };
  // The reporter writes strings and asks isTTY; nothing else of a WriteStream is used.
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}
