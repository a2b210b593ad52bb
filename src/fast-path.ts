import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * Start-up fast path for the commands people and scripts run most (`list`, `ports`, `status`): parse them
 * with node:util's strict parseArgs and call the very same command handler, without loading yargs (which
 * alone costs about 2× a bare `node -e 0` start on a 2-core machine; see bench/). Anything the fast path
 * does not understand (help, an unknown option, a missing value) returns null, and yargs handles it as
 * usual, so errors and help text come from one place.
 */
export interface FastCommand {
  /** Names of positionals in order; the last may be optional. */
  positionals: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  handler: (argv: Record<string, unknown>) => Promise<void> | void;
}

export function fastParse(
  argv: string[],
  commands: Record<string, FastCommand>,
): { command: FastCommand; args: Record<string, unknown> } | null {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) return null;
  try {
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > command.positionals.length) return null;
    const args: Record<string, unknown> = { ...parsed.values };
    command.positionals.forEach((positional, i) => {
      args[positional] = parsed.positionals[i];
    });
    for (const [option, spec] of Object.entries(command.options)) {
      if (spec.type === 'boolean' && args[option] === undefined) args[option] = false;
    }
    return { command, args };
  } catch {
    return null;
  }
}
