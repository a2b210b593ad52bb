import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Issue 10 F1 and bad input in general: every command that takes a task, given a task name that is a
 * path or otherwise unusable, answers with one line on stderr and exit code 2, and creates, changes and
 * deletes nothing: the whole folder around the repository (repository, .git, the run's worktrees, the
 * folder above) is hashed before and after. `rm .. --force` used to delete `.git`; `rm '' --force` every
 * run's state; `rm ../.. --force` the repository itself.
 */
const BAD_NAMES = ['', '.', '..', '../..', '../../..', '/tmp', 'x y'];

/** Each command that takes a task, with the bad name in the task's place. */
const COMMANDS: [string, (task: string) => string[]][] = [
  ['run', (task) => ['run', task, '-p', 'x', '--mux', 'none', '--no-attach']],
  ['attach', (task) => ['attach', task, '--restart', '--no-attach']],
  ['status', (task) => ['status', task]],
  ['ports', (task) => ['ports', task]],
  ['send', (task) => ['send', task, 'hello']],
  ['compare', (task) => ['compare', task, '--no-check']],
  ['diff', (task) => ['diff', task, '1']],
  ['pick', (task) => ['pick', task, '1']],
  ['rm', (task) => ['rm', task]],
  ['rm --force', (task) => ['rm', task, '--force']],
  ['rm --archive', (task) => ['rm', task, '--archive']],
  ['rm --force (second of two)', (task) => ['rm', 't', task, '--force']],
  ['launch', (task) => ['launch', task, '1']],
];

/** Path, type, mode and content hash of everything under `root`: what "nothing changed" is compared by. */
function fingerprint(root: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const stat = lstatSync(file);
      const relative = path.relative(root, file);
      if (stat.isDirectory()) {
        lines.push(`${relative}/ ${stat.mode.toString(8)}`);
        walk(file);
      } else if (stat.isSymbolicLink()) {
        lines.push(`${relative} -> ${readlinkSync(file)}`);
      } else {
        const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
        lines.push(`${relative} ${stat.mode.toString(8)} ${hash}`);
      }
    }
  };
  walk(root);
  return lines;
}

describe('bad task names: one line, exit 2, nothing created or lost', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let before: string[];

  beforeAll(async () => {
    ({ repo, tmux } = standInWorkspace());
    // A run with work in it, so that there is something to lose.
    const created = await runCli(['t', '-n', '2', '-p', 'x', '--mux', 'none', '--no-attach'], {
      cwd: repo.root,
      env: tmux.env,
    });
    expect(created.code, created.stderr).toBe(0);
    repo.write('../app-worktrees/t-1/work.txt', 'precious\n');
    before = fingerprint(repo.parent);
  });
  afterAll(() => closeWorkspace({ repo, tmux }));

  const cases = COMMANDS.flatMap(([name, argv]) => BAD_NAMES.map((task) => [name, task, argv] as const));

  it.each(cases)('%s %j', async (_name, task, argv) => {
    const result = await runCli(argv(task), { cwd: repo.root, env: tmux.env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      `git parallel: invalid task name ${JSON.stringify(task)}: it ${problemOf(task)}; use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters\n`,
    );
    expect(result.stdout).toBe('');
    expect(fingerprint(repo.parent)).toEqual(before);
  });

  it('a hook event with a bad task name changes nothing and never fails its agent', async () => {
    const result = await runCli(['hook-event', '..', '1', 'done'], { cwd: repo.root, env: tmux.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^git-parallel hook-event: invalid task name "\.\."/);
    expect(fingerprint(repo.parent)).toEqual(before);
  });
});

function problemOf(task: string): string {
  if (task === '') return 'is empty';
  if (/^[-.]/.test(task)) return `starts with "${task[0]}"`;
  if (task.includes('..')) return 'contains ".."';
  return `contains ${JSON.stringify(task.match(/[^A-Za-z0-9._-]/)![0])}`;
}
