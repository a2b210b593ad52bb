import type { CommandFacts, OptionFacts } from '../commands/introspect.js';

/**
 * Manual pages in roff, rendered from the command definitions the parser uses (read back from yargs by
 * describeCommand): git-parallel(1) and git-parallel-<command>(1) for every visible command, as git-lfs
 * ships them. `git parallel --help` is turned into `git help parallel` by git, which opens git-parallel(1).
 * Pure: facts in, file names and contents out (scripts/build.mjs writes them to man/man1).
 */
export interface ManPage {
  file: string;
  text: string;
}

const MANUAL = 'Git Parallel Manual';

/** Text as roff reads it: backslashes and hyphens escaped, no line starting with a control character. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

const bold = (text: string) => `\\fB${roff(text)}\\fR`;
const italic = (text: string) => `\\fI${roff(text)}\\fR`;

function header(name: string, version: string): string {
  return `.TH "${roff(name.toUpperCase())}" "1" "" "git-parallel ${roff(version)}" "${MANUAL}"\n.nh\n.ad l\n`;
}

function synopsis(command: CommandFacts): string {
  const words = command.positionals.map((p) => {
    const name = italic(p.name) + (p.variadic ? '\\&...' : '');
    return p.required ? name : `[${name}]`;
  });
  const name = command.isDefault
    ? `${bold('git parallel')} [${bold('run')}]`
    : bold(`git parallel ${command.name}`);
  return [name, ...words, command.options.length > 0 ? `[${italic('options')}]` : '']
    .filter(Boolean)
    .join(' ');
}

function optionItem(option: OptionFacts): string {
  const value = option.type === 'boolean' ? '' : `=${italic(option.type === 'number' ? 'number' : 'value')}`;
  const names = [
    ...option.aliases.map((alias) => bold(alias.length === 1 ? `-${alias}` : `--${alias}`)),
    bold(`--${option.name}`) + value,
  ];
  if (option.type === 'boolean' && option.default === true) names.push(bold(`--no-${option.name}`));
  const defaults =
    option.default === undefined || option.default === false || Array.isArray(option.default)
      ? ''
      : ` (default: ${roff(String(option.default))})`;
  return `.TP\n${names.join(', ')}\n${roff(option.describe ?? '')}${defaults}\n`;
}

function optionsSection(options: readonly OptionFacts[], title = 'OPTIONS'): string {
  if (options.length === 0) return '';
  return `.SH ${title}\n${options.map(optionItem).join('')}`;
}

const GLOBAL_OPTIONS: OptionFacts[] = [
  { name: 'help', aliases: ['h'], type: 'boolean', describe: "show the command's options" },
  {
    name: 'verbose',
    aliases: [],
    type: 'boolean',
    describe: 'list every command run (on stderr) and print stack traces of unexpected errors',
  },
];

const COMMON_RULES = `.SH PARSING
Options may come before or after the words they go with. \\fB\\-p hello\\fR, \\fB\\-p=hello\\fR, \\fB\\-\\-prompt hello\\fR and \\fB\\-\\-prompt=hello\\fR are the same.
An option that takes a value (a prompt, a ref, a number) may be given once: the same value twice is harmless, two different values are refused (exit status 2), never merged and never reduced to one. Of a boolean option given twice (\\fB\\-\\-attach \\-\\-no\\-attach\\fR) the last one counts.
A boolean option \\fB\\-\\-x\\fR is turned off with \\fB\\-\\-no\\-x\\fR.
.SH EXIT STATUS
.TP
0
success
.TP
1
a failure: git or the multiplexer failed (\\fB\\-\\-verbose\\fR shows the details)
.TP
2
bad usage or bad input, with one line on standard error that says what to do; nothing was created or lost
.TP
130, 143
interrupted by SIGINT or SIGTERM, after cleaning up
.TP
141
the reader of the output went away (\\fBgit parallel compare t | head \\-1\\fR), as with git
`;

function commandPage(command: CommandFacts, version: string): ManPage {
  const page = `git-parallel-${command.name}`;
  const sections = [
    header(page, version),
    `.SH NAME\n${roff(page)} \\- ${roff(command.describe)}\n`,
    `.SH SYNOPSIS\n${synopsis(command)}\n`,
    `.SH DESCRIPTION\n${roff(capitalise(command.describe))}.\n`,
    ...command.epilogues.map((text) => `.PP\n${roff(text)}\n`),
    command.positionals.some((p) => p.describe)
      ? `.SH ARGUMENTS\n${command.positionals
          .filter((p) => p.describe)
          .map((p) => `.TP\n${italic(p.name)}\n${roff(p.describe ?? '')}\n`)
          .join('')}`
      : '',
    optionsSection(command.options),
    optionsSection(GLOBAL_OPTIONS, 'COMMON OPTIONS'),
    command.examples.length > 0
      ? `.SH EXAMPLES\n${command.examples
          .map(([example, text]) => `.TP\n${bold(example.replace(/^\$0/, 'git parallel'))}\n${roff(text)}\n`)
          .join('')}`
      : '',
    COMMON_RULES,
    `.SH SEE ALSO\n${bold('git-parallel')}(1)\n`,
  ];
  return { file: `${page}.1`, text: sections.join('') };
}

function mainPage(commands: readonly CommandFacts[], version: string): ManPage {
  const run = commands.find((c) => c.isDefault);
  const listed = commands.filter((c) => !c.hidden);
  const words = listed.flatMap((c) => [c.name, ...c.aliases]);
  const sections = [
    header('git-parallel', version),
    `.SH NAME\ngit\\-parallel \\- run N coding agents on one prompt, each in its own git worktree, then keep the best\n`,
    `.SH SYNOPSIS\n${bold('git parallel')} ${italic('task')} [${italic('options')}]\n.br\n${bold('git parallel')} ${italic('command')} [${italic('arguments')}] [${italic('options')}]\n`,
    '.SH DESCRIPTION\n',
    roff(
      [
        'git parallel starts N coding agents on the same prompt, each in its own git worktree and branch <task>-<n>, in one terminal multiplexer session (tmux or Zellij). Each worktree is made ready to run: its ignored files copied, its dependencies provided, its own ports and database.',
        '',
        'Afterwards status shows what every agent is doing, compare puts the candidates side by side and runs the project checks in each of them, pick brings the best one into the base branch, and rm removes a run without losing work.',
      ].join('\n'),
    ).replace(/\n\n/g, '\n.PP\n'),
    '\n.SH COMMANDS\n',
    listed
      .map(
        (c) =>
          `.TP\n${bold(`git parallel ${c.name}`)}${c.aliases.length ? ` (${c.aliases.map(bold).join(', ')})` : ''}\n${roff(c.describe)}; see ${bold(`git-parallel-${c.name}`)}(1)\n`,
      )
      .join(''),
    `.SH TASK NAMES\n${roff(
      `git parallel <task> is git parallel run <task>, except that a task name that is a command or an alias (${words.join(', ')}), a word people try for one (show, remove, delete…), or a small typo of one (stauts) is refused with a hint, so that nothing starts by accident. git parallel run <task> starts a run of any valid name.`,
    )}\n`,
    run ? optionsSection(run.options, 'RUN OPTIONS') : '',
    optionsSection(GLOBAL_OPTIONS, 'COMMON OPTIONS'),
    COMMON_RULES,
    `.SH FILES\n${roff('<repository>/.git/parallel/<task>/ holds the state of a run. Configuration is read from git-parallel.config.js, .git-parallelrc.json and the other files git parallel init can write, and from the user configuration folder.')}\n`,
    `.SH SEE ALSO\n${listed.map((c) => `${bold(`git-parallel-${c.name}`)}(1)`).join(', ')}, ${bold('git-worktree')}(1)\n`,
  ];
  return { file: 'git-parallel.1', text: sections.join('') };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function renderManPages(commands: readonly CommandFacts[], version: string): ManPage[] {
  return [
    mainPage(commands, version),
    ...commands.filter((c) => !c.hidden).map((c) => commandPage(c, version)),
  ];
}
