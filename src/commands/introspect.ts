import type { Argv, CommandModule } from 'yargs';
import { commandWords } from './command-words.js';

/**
 * What a command module declares, read back from yargs itself (its builder run on a fresh instance), so the
 * man pages and shell completion say exactly what the parser accepts.
 */
export interface CommandFacts {
  name: string;
  aliases: string[];
  /** `rm <tasks..>` as written, with `$0` for the default command. */
  syntax: string;
  describe: string;
  hidden: boolean;
  isDefault: boolean;
  positionals: { name: string; required: boolean; variadic: boolean; describe?: string }[];
  options: OptionFacts[];
  examples: [string, string][];
  epilogues: string[];
}

export interface OptionFacts {
  name: string;
  aliases: string[];
  type: 'boolean' | 'string' | 'number' | 'array';
  describe?: string;
  default?: unknown;
}

type Yargs = (argv: string[]) => Argv;

/** The parts of a yargs instance its typings leave out (they are public in yargs' own sources). */
export interface YargsInternals {
  getOptions(): {
    key: Record<string, boolean>;
    alias: Record<string, string[]>;
    array: string[];
    boolean: string[];
    number: string[];
    default: Record<string, unknown>;
    hiddenOptions: string[];
  };
  getInternalMethods(): {
    getUsageInstance(): { getDescriptions(): Record<string, unknown>; cacheHelpMessage: () => void };
  };
}

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types.
export function describeCommand(yargs: Yargs, command: CommandModule<any, any>): CommandFacts {
  const syntaxes = [command.command ?? []].flat().map(String);
  const isDefault = syntaxes.some((s) => s.startsWith('$0'));
  const syntax = syntaxes.find((s) => !s.startsWith('$0')) ?? syntaxes[0] ?? '';
  const [name = '', ...aliases] = commandWords(command);
  const y = yargs([]).help(false).version(false);
  const examples: [string, string][] = [];
  const epilogues: string[] = [];
  const record = y as unknown as Record<string, (...args: unknown[]) => unknown>;
  const example = record.example!.bind(y);
  const epilogue = record.epilogue!.bind(y);
  record.example = (cmd, text) => {
    examples.push([String(cmd), String(text ?? '')]);
    return example(cmd, text);
  };
  record.epilogue = record.epilog = (text) => {
    epilogues.push(String(text));
    return epilogue(text);
  };
  if (typeof command.builder === 'function') command.builder(y);
  const internals = y as unknown as YargsInternals;
  const o = internals.getOptions();
  const descriptions = internals.getInternalMethods().getUsageInstance().getDescriptions();
  const describe = (key: string) => {
    const text = descriptions[key];
    return typeof text === 'string' && text !== '' ? text : undefined;
  };
  const positionals = [...syntax.matchAll(/[<[]([^\]>.]+)(\.\.)?[\]>]/g)].map((m) => ({
    name: m[1]!,
    required: m[0].startsWith('<'),
    variadic: m[2] !== undefined,
    describe: describe(m[1]!),
  }));
  const positionalNames = new Set(positionals.map((p) => p.name));
  const allAliases = new Set(Object.values(o.alias).flat());
  const options: OptionFacts[] = Object.keys(o.key)
    .filter((key) => !positionalNames.has(key) && !allAliases.has(key) && !o.hiddenOptions.includes(key))
    .map((key) => ({
      name: key,
      aliases: o.alias[key] ?? [],
      type: o.boolean.includes(key)
        ? 'boolean'
        : o.number.includes(key)
          ? 'number'
          : o.array.includes(key)
            ? 'array'
            : 'string',
      describe: describe(key),
      default: o.default[key],
    }));
  return {
    name,
    aliases,
    syntax,
    describe: typeof command.describe === 'string' ? command.describe : '',
    hidden: command.describe === false,
    isDefault,
    positionals,
    options,
    examples,
    epilogues,
  };
}
