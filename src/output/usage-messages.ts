import { editDistance } from '../core/edit-distance.js';

/**
 * Turns yargs' validation messages into ones a user can act on. yargs says "Unknown arguments: dry-run,
 * dryRun" (every unknown option twice, without dashes) and, for `git parallel --frobnicate`, "Not enough
 * non-option arguments" (the unknown option ate the place of the task). Unknown options are found here
 * from the words themselves, so both become "unknown option --frobnicate".
 */
export function explainUsageFailure(
  message: string,
  facts: {
    argv: readonly string[];
    /** Every option name the failing command knows (long names and aliases, without dashes). */
    knownOptions: readonly string[];
    /** The command words (`list`, `rm`…); the first of argv that is one names the command. */
    commandNames: ReadonlySet<string>;
  },
): string {
  const command = facts.argv.find((word) => !word.startsWith('-') && facts.commandNames.has(word));
  const help = command ? `git parallel ${command} --help` : 'git parallel --help';
  const unknown = unknownOptions(facts.argv, facts.knownOptions);
  if (unknown.length > 0) {
    const where = command ? ` for git parallel ${command}` : '';
    const names = unknown.map((name) => `${name.length === 1 ? '-' : '--'}${name}`);
    const hint =
      unknown.length === 1
        ? (valueAfterEquals(facts.argv, unknown[0]!) ?? suggestion(unknown[0]!, facts.knownOptions))
        : '';
    return `unknown option${names.length === 1 ? '' : 's'} ${names.join(', ')}${where}${hint} (see ${help})`;
  }
  return `${message} (see ${help})`;
}

/** The option words of argv (before a `--`) that name no known option, in order, without dashes. */
export function unknownOptions(argv: readonly string[], known: readonly string[]): string[] {
  const knownSet = new Set(known.flatMap((name) => [name, kebab(name)]));
  const found: string[] = [];
  for (const word of argv) {
    if (word === '--') break;
    if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) continue;
    const names = word.startsWith('--') ? [word.slice(2).split('=')[0]!] : [...word.slice(1).split('=')[0]!]; // -abc is -a -b -c
    for (const name of names) {
      const plain = name.startsWith('no-') && knownSet.has(name.slice(3)) ? name.slice(3) : name;
      if (!knownSet.has(plain) && !found.includes(name)) found.push(name);
    }
  }
  return found;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * `--prompt "--fix the test"`: the value starts with a dash, so yargs takes it for an option of its own.
 * No option's name holds a space, so such a word was meant as the value of the option before it, which
 * takes it when written with "=" (as git and yargs read `--message=-x`).
 */
function valueAfterEquals(argv: readonly string[], name: string): string | null {
  if (!/\s/.test(name)) return null;
  const at = argv.findIndex((word) => word.replace(/^--?/, '') === name);
  const option = at > 0 ? argv[at - 1]! : '';
  if (!option.startsWith('-') || option.includes('=')) return null;
  return ` (a value that starts with "-" goes after "=": ${option}=${JSON.stringify(argv[at]!)})`;
}

function suggestion(name: string, known: readonly string[]): string {
  const close = known
    .filter((k) => k.length > 1 && !/[A-Z]/.test(k))
    .find((k) => editDistance(k, name) <= Math.min(2, Math.floor(k.length / 3)));
  return close ? ` (did you mean --${close}?)` : '';
}
