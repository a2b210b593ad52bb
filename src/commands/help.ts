import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { version } from '../version.js';

/**
 * The commands about git parallel itself: help and version (as git and gh have them), shell completion,
 * and the hidden word list the completion scripts ask for. Each loads what it needs only when it runs.
 */
export const helpCommand: CommandModule<object, { command?: string[] }> = {
  command: 'help [command..]',
  describe: 'show the options of git parallel or of one command (git parallel --help opens the manual)',
  builder: (yargs) =>
    yargs.positional('command', { type: 'string', array: true, describe: 'the command, e.g. compare' }),
  handler: async (argv) => {
    const [word, ...extra] = (argv.command ?? []).map(String);
    const { COMMANDS } = await import('./registry.js');
    const { commandWords } = await import('./command-words.js');
    const { createParser } = await import('./parser.js');
    const known = COMMANDS.filter((c) => c.describe !== false).flatMap(commandWords);
    if (extra.length > 0) throw new UsageError(`help takes one command, got ${[word, ...extra].join(' ')}`);
    if (word !== undefined && !known.includes(word))
      throw new UsageError(`there is no command ${word}; the commands are ${known.join(', ')}`);
    await (
      await createParser([...(word === undefined ? [] : [word]), '--help'], { help: true })
    ).parseAsync();
  },
};

export const versionCommand: CommandModule<object, object> = {
  command: 'version',
  describe: 'print the version of git parallel (also --version)',
  handler: () => {
    process.stdout.write(`${version}\n`);
  },
};

export const completionCommand: CommandModule<object, { shell?: string }> = {
  command: 'completion [shell]',
  describe: 'print the completion script for bash or zsh: eval "$(git parallel completion bash)"',
  builder: (yargs) =>
    yargs.positional('shell', {
      type: 'string',
      describe: 'bash or zsh (default: the one in $SHELL)',
    }),
  handler: async (argv) => {
    const shell = argv.shell ?? (process.env.SHELL?.endsWith('zsh') ? 'zsh' : 'bash');
    const { completionScript } = await import('./completion.js');
    process.stdout.write(completionScript(shell));
  },
};

/** Hidden: the words that may follow `git parallel <words…>`; the last word is the one being completed. */
export const completeCommand: CommandModule<object, { '--'?: (string | number)[] }> = {
  command: '__complete',
  describe: false,
  builder: (yargs) => yargs.parserConfiguration({ 'populate--': true }),
  handler: async (argv) => {
    const { completeWords } = await import('./completion.js');
    const words = (argv['--'] ?? []).map(String);
    const found = await completeWords(words.length > 0 ? words : [''], {
      cwd: process.cwd(),
      env: process.env,
    });
    process.stdout.write(found.map((word) => `${word}\n`).join(''));
  },
};
