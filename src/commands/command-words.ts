import type { CommandModule } from 'yargs';
import { editDistance } from '../core/edit-distance.js';
import { UsageError } from '../errors.js';

/**
 * `git parallel <task>` starts a run, so a mistyped or guessed command (`stauts`, `help`, `show`) would start
 * agents. Such a word is refused unless the run is asked for explicitly with `git parallel run <task>`.
 */

/** Words people try that are not commands, and the command they were most likely after. */
export const COMMAND_SYNONYMS: Readonly<Record<string, string>> = {
  show: 'status',
  view: 'status',
  info: 'status',
  watch: 'status',
  remove: 'rm',
  delete: 'rm',
  merge: 'pick',
  clean: 'prune',
  start: 'run',
  man: 'help',
};

/** The name and aliases of a command module, without yargs' positional syntax (`rm <tasks..>` → rm). */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argv types.
export function commandWords(command: CommandModule<any, any>): string[] {
  return [command.command ?? [], command.aliases ?? []]
    .flat()
    .map((text) => String(text).split(' ')[0]!)
    .filter((word) => word !== '$0');
}

/** How far a word may be from a command to count as a typo of it: none for `rm`, two for `compare`. */
function tolerance(command: string): number {
  if (command.length <= 2) return 0;
  return command.length >= 7 ? 2 : 1;
}

/**
 * The command a would-be task name most likely meant, if it is a command's name or alias, a synonym, or a
 * small edit away from one; undefined for an ordinary task name.
 * `commands` are the names and aliases help lists (hidden commands are never suggested).
 */
export function commandMeant(task: string, commands: readonly string[]): string | undefined {
  const word = task.toLowerCase();
  if (commands.includes(word)) return word;
  const synonym = COMMAND_SYNONYMS[word];
  if (synonym) return synonym;
  let best: { command: string; distance: number } | undefined;
  for (const command of commands) {
    const distance = editDistance(word, command);
    if (distance <= tolerance(command) && (!best || distance < best.distance)) best = { command, distance };
  }
  return best?.command;
}

/** Throws the usage error that tells a typo from a task name, and how to start a run of that name anyway. */
export function refuseCommandLikeTask(task: string, commands: readonly string[]): void {
  const meant = commandMeant(task, commands);
  if (meant === undefined) return;
  throw new UsageError(
    `did you mean \`git parallel ${meant}\`? To start a run of that name: \`git parallel run ${task}\``,
  );
}
