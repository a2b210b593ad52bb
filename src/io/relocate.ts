import path from 'node:path';
import type { RunManifest } from '../core/types.js';
import { listWorktrees } from './git.js';
import { findMarkedWorktrees } from './worktree-marks.js';

/**
 * Issue 10 F8: run.json records absolute paths (the repository, its git dir, each worktree), but a
 * repository can be moved (`mv repo repo2`, and its worktrees with it, then `git worktree repair`). Paths
 * are therefore derived from where the state folder is now: when the git dir that holds `dir` is not
 * the one recorded, the repository's paths are taken from git (its main worktree) and each candidate's
 * worktree from git's own record of it (the mark's admin folder, which `git worktree repair` updates).
 * Nothing is written: the recorded run stays as it was, and reading it costs nothing when nothing moved.
 */
export async function relocateManifest(manifest: RunManifest, dir: string): Promise<RunManifest> {
  // `dir` is `<git-common-dir>/parallel/<task>`.
  const commonDir = path.dirname(path.dirname(dir));
  if (manifest.repo.commonDir === commonDir) return manifest;
  const oldState = path.join(manifest.repo.commonDir, 'parallel', manifest.task);
  const listed = await listWorktrees(commonDir, { gitDir: commonDir }).catch(() => []);
  const mainRoot = listed[0]?.path ?? path.dirname(commonDir);
  const marks = new Map(
    (await findMarkedWorktrees(commonDir, manifest.task)).map((mark) => [mark.n, mark.worktree]),
  );
  const relocated: RunManifest = {
    ...manifest,
    repo: { ...manifest.repo, root: mainRoot, commonDir },
    candidates: manifest.candidates.map((c) => ({
      ...c,
      worktree: marks.get(c.n) ?? c.worktree,
      ...(c.promptFile ? { promptFile: moved(c.promptFile) } : {}),
    })),
  };
  function moved(file: string): string {
    return file.startsWith(`${oldState}${path.sep}`) ? path.join(dir, path.relative(oldState, file)) : file;
  }
  if (manifest.promptFile) relocated.promptFile = moved(manifest.promptFile);
  return relocated;
}
