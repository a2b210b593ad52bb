import { createReporter, type Reporter } from '../output/reporter.js';

/** The process-level facts a command action receives, so actions never read globals themselves. */
export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}

export function commandIo(json: boolean): CommandIo {
  return { cwd: process.cwd(), env: process.env, reporter: createReporter({ json }) };
}

/**
 * Whether a person is at a terminal: the one test for attaching a session, asking a question (on
 * stderr, answered on stdin) and redrawing `status --watch`. All three streams, so a command piped
 * anywhere, or fed from a file, neither waits for an answer nor takes over the screen.
 */
export function atTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && process.stderr.isTTY);
}
