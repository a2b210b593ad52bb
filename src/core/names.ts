import { UsageError } from '../errors.js';

/** The longest task name we accept: it becomes part of folder, branch and session names. */
export const MAX_TASK_NAME = 64;

const TASK_NAME_RULE =
  'use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

/**
 * Why a task name is unusable, or null when it is fine. A task name ends up in a branch name, a folder
 * name and a tmux/Zellij session name, so it follows the strictest of the three.
 */
export function taskNameProblem(task: string): string | null {
  if (task.length === 0) return 'is empty';
  if (task.length > MAX_TASK_NAME) return `is ${task.length} characters long`;
  if (/^[-.]/.test(task)) return `starts with "${task[0]}"`;
  if (task.includes('..')) return 'contains ".."';
  if (task.endsWith('.lock')) return 'ends with ".lock"';
  if (task.endsWith('.')) return 'ends with "."';
  const bad = task.match(/[^A-Za-z0-9._-]/u);
  if (bad) return `contains ${JSON.stringify(bad[0])}`;
  return null;
}

export function assertTaskName(task: string): void {
  const problem = taskNameProblem(task);
  if (problem)
    throw new UsageError(`invalid task name ${JSON.stringify(task)}: it ${problem}; ${TASK_NAME_RULE}`);
}

/**
 * The check every command that takes a task runs first, before it reads or changes anything (issue 10
 * F1): a task name becomes a folder under `.git/parallel/`, so `..`, `.` or an empty name would otherwise
 * reach outside the run (`rm .. --force` deleted `.git`). An absent optional task is fine.
 */
export function assertTaskNames(...tasks: (string | number | undefined)[]): void {
  for (const task of tasks) if (task !== undefined) assertTaskName(String(task));
}

export const PATTERN_PLACEHOLDERS = ['repo', 'task', 'n', 'agent'] as const;
export type PatternValues = Record<(typeof PATTERN_PLACEHOLDERS)[number], string>;

/** Expands `{repo}`, `{task}`, `{n}` and `{agent}` in a `worktreeDir` or `branch` pattern. */
export function expandPattern(pattern: string, values: PatternValues, settingName: string): string {
  return pattern.replace(/\{([^{}]*)\}/g, (_whole, key: string) => {
    if (!(PATTERN_PLACEHOLDERS as readonly string[]).includes(key)) {
      throw new UsageError(
        `${settingName} ${JSON.stringify(pattern)} has an unknown placeholder {${key}}; use {repo}, {task}, {n} or {agent}`,
      );
    }
    return values[key as keyof PatternValues];
  });
}

/**
 * Git's branch name rules (git-check-ref-format), as far as a generated name can break them.
 * Checked up front so that a bad `branch` pattern fails before anything is created.
 */
export function branchNameProblem(branch: string): string | null {
  if (branch.length === 0) return 'is empty';
  if (branch.startsWith('-')) return 'starts with "-"';
  if (branch.includes('..')) return 'contains ".."';
  if (branch.includes('@{')) return 'contains "@{"';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch))
    return 'contains a space, a control character or one of ~^:?*[\\';
  if (branch.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock'))) {
    return 'has an empty component, one starting with "." or one ending with ".lock"';
  }
  if (branch.endsWith('.') || branch === '@') return 'ends with "." or is "@"';
  return null;
}
