import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * Start-up fast path for the commands people and scripts run most (`<task>` itself, `list`, `ports`,
 * `status`): parse them with node:util's strict parseArgs and call the very same command handler, without
 * loading yargs (which alone costs about 2× a bare `node -e 0` start on a 2-core machine; see bench/).
 * Anything the fast path does not understand (help, an unknown option, a missing value) returns null and
 * yargs handles it as usual, so the fast path can only ever accept a subset of what yargs accepts, and
 * errors and help text come from one place.
 */
export interface FastCommand {
  /** Names of positionals in order; the last may be optional. */
  positionals: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  /** The values yargs gives options that are absent (only where yargs has a default). */
  defaults: Record<string, unknown>;
  handler: (argv: Record<string, unknown>) => Promise<void> | void;
}

/** The key of the default command (`git parallel <task>`), as yargs names it. */
export const DEFAULT_COMMAND = '$0';

export function fastParse(
  argv: string[],
  commands: Record<string, FastCommand>,
  yargsCommandNames: ReadonlySet<string>,
): { command: FastCommand; args: Record<string, unknown> } | null {
  const [name, ...rest] = argv;
  if (name === undefined) return null;
  let command = commands[name];
  let args = rest;
  if (!command) {
    // `git parallel <task> …`: the default command, unless the word names another command.
    if (name.startsWith('-') || yargsCommandNames.has(name)) return null;
    command = commands[DEFAULT_COMMAND];
    args = argv;
  }
  if (!command) return null;
  try {
    const parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > command.positionals.length) return null;
    const values: Record<string, unknown> = { ...command.defaults, ...parsed.values };
    command.positionals.forEach((positional, i) => {
      if (parsed.positionals[i] !== undefined) values[positional] = parsed.positionals[i];
    });
    return { command, args: values };
  } catch {
    return null;
  }
}
