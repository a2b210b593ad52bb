/**
 * The error taxonomy. Commands throw; only cli.ts decides the exit code and prints.
 *
 * - UsageError: the user asked for something that cannot be done as asked (bad flag, bad name,
 *   missing file, a run that already exists). Exit 2, one line that says what to do.
 * - CommandFailure: the world did not cooperate (git failed, tmux failed). Exit 1.
 * Anything else is a bug and is printed with its stack under --verbose.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

export class CommandFailure extends Error {
  override name = 'CommandFailure';
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Thrown when the user interrupts (Ctrl-C, SIGTERM) after cleanup has run. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  /** `remains`: what cleaning up could not remove (issue 10 F6: the report must say so, not "nothing"). */
  constructor(
    readonly signal: NodeJS.Signals,
    readonly remains: string | null = null,
  ) {
    super(`interrupted by ${signal}`);
  }
  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }
}

/** A layout template that cannot be rendered; the message names the file, the line and the problem. */
export class LayoutTemplateError extends UsageError {
  override name = 'LayoutTemplateError';
}
