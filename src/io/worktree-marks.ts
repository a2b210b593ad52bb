import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './files.js';
import { runGit } from './git-runner.js';
import { inspectRecord, wrongField } from './records.js';

/**
 * Every candidate worktree carries a small mark in git's own administrative folder for it
 * (`<git-common-dir>/worktrees/<id>/git-parallel.json`): git ignores unknown files there and deletes the
 * folder with the worktree. The mark names the run and candidate, so a run whose run.json was damaged or
 * deleted can still be found and cleaned up (`rm --force`, `prune`), from git's facts alone.
 */
export interface WorktreeMark {
  task: string;
  n: number;
  branch: string;
  worktree: string;
}

const MARK = 'git-parallel.json';

export async function markWorktree(mark: WorktreeMark): Promise<void> {
  // A linked worktree's `.git` is a file naming its admin folder: read it rather than start git.
  const pointer = (await readFile(path.join(mark.worktree, '.git'), 'utf8')).match(/^gitdir: (.*)$/m);
  const adminDir = pointer
    ? path.resolve(mark.worktree, pointer[1]!.trim())
    : (await runGit(mark.worktree, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  await writeFileAtomic(path.join(adminDir, MARK), `${JSON.stringify(mark)}\n`);
}

/** Every marked worktree of the repository (optionally of one task), as recorded at creation. */
export async function findMarkedWorktrees(commonDir: string, task?: string): Promise<WorktreeMark[]> {
  const adminRoot = path.join(commonDir, 'worktrees');
  const ids = await readdir(adminRoot).catch(() => [] as string[]);
  const marks: WorktreeMark[] = [];
  for (const id of ids.sort()) {
    // A mark that cannot be used (damaged, or without its task, number or branch) names no run for
    // certain, so it is left out rather than guessed at: rm and prune would otherwise remove a worktree
    // or branch by a guess. Its worktree stays an ordinary one (`git worktree list` shows it).
    const read = await inspectRecord<WorktreeMark>(path.join(adminRoot, id, MARK), (value) =>
      wrongField(value, { task: 'string', n: 'number', branch: 'string', worktree: 'string' }),
    );
    const mark = read?.value;
    if (!mark) continue;
    // The worktree may have moved (`git worktree move`): git's own gitdir file knows where it is now.
    const gitdir = (await readFile(path.join(adminRoot, id, 'gitdir'), 'utf8').catch(() => '')).trim();
    if (gitdir) mark.worktree = path.dirname(gitdir);
    if (task === undefined || mark.task === task) marks.push(mark);
  }
  return marks.sort((a, b) => a.n - b.n);
}
