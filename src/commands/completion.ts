import { readFileSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { readRepo } from '../io/git.js';
import { packageRoot } from '../io/launcher-path.js';
import { listManifests } from '../io/state.js';
import { commandWords } from './command-words.js';
import { type CommandFacts, describeCommand } from './introspect.js';
import { COMMANDS } from './registry.js';

/**
 * Shell completion. The scripts are thin: they hand the words typed so far to `git parallel __complete`,
 * which answers from the command definitions (the same ones yargs parses with) and the runs of the
 * repository, so completion never drifts from the parser.
 */

/** The script for a shell, from the package's completion/ folder (shipped as data, sourceable as it is). */
export function completionScript(shell: string): string {
  const file = { bash: 'git-parallel.bash', zsh: 'git-parallel.zsh' }[shell];
  if (!file) throw new UsageError(`completion is for bash or zsh, not ${shell}`);
  return readFileSync(path.join(packageRoot(), 'completion', file), 'utf8');
}

/** The words that may come next. `words` are those after `git parallel`; the last is being completed. */
export async function completeWords(
  words: readonly string[],
  io: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const typed = words.slice(0, -1);
  const visible = COMMANDS.filter((c) => c.describe !== false);
  const starting = (list: string[]) => list.filter((word) => word.startsWith(current));
  const names = visible.flatMap((c) => commandWords(c).slice(0, 1));
  if (typed.length === 0) return starting(current.startsWith('-') ? ['--help', '--version'] : names);
  const module = visible.find((c) => commandWords(c).includes(typed[0]!));
  if (!module) return []; // a task name: what follows are run options, completed as those of `run`
  const facts = describeCommand(yargs, module);
  if (current.startsWith('-')) return starting([...longOptions(facts), '--help']);
  if (facts.name === 'help') return typed.length === 1 ? starting(names) : [];
  if (facts.name === 'completion') return typed.length === 1 ? starting(['bash', 'zsh']) : [];
  const previous = facts.options.find(
    (o) => `--${o.name}` === typed.at(-1) || o.aliases.some((a) => `-${a}` === typed.at(-1)),
  );
  if (previous && previous.type !== 'boolean') return [];
  const index = positionalIndex(facts, typed.slice(1));
  const last = facts.positionals.at(-1);
  const positional = facts.positionals[index] ?? (last?.variadic ? last : undefined);
  if (positional?.name !== 'task' && positional?.name !== 'tasks') return [];
  // `rm a b`: a run already named is not offered again.
  return starting(await taskNames(io.cwd)).filter((task) => !typed.slice(1).includes(task));
}

function longOptions(facts: CommandFacts): string[] {
  return facts.options.flatMap((o) =>
    o.type === 'boolean' && o.default === true ? [`--no-${o.name}`] : [`--${o.name}`],
  );
}

/** How many positionals the words after the command already fill (option values are not positionals). */
function positionalIndex(facts: CommandFacts, words: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) count++;
    else {
      const option = facts.options.find(
        (o) => `--${o.name}` === word || o.aliases.some((a) => `-${a}` === word),
      );
      if (option && option.type !== 'boolean') i++;
    }
  }
  return count;
}

async function taskNames(cwd: string): Promise<string[]> {
  try {
    const repo = await readRepo(cwd);
    return (await listManifests(repo.commonDir)).map((read) => read.task);
  } catch (error) {
    // Outside a repository there are no runs to offer; completion must never print an error.
    if (error instanceof UsageError) return [];
    throw error;
  }
}
