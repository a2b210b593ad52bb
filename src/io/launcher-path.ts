import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, found by walking up from this module: the same answer from the bundle in
 * dist/ and from the sources under src/ (tests), wherever npm installed the package.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (
    !existsSync(path.join(dir, 'package.json')) ||
    !existsSync(path.join(dir, 'bin', 'git-parallel.js'))
  ) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the git-parallel package root');
    dir = parent;
  }
  return dir;
}

/** The argv a pane runs: Node and our own bin, by absolute path, so the pane needs no PATH and no shell. */
export function launcherArgv(stateDir: string, task: string, n: number): string[] {
  return [
    process.execPath,
    path.join(packageRoot(), 'bin', 'git-parallel.js'),
    'launch',
    task,
    String(n),
    '--state-dir',
    stateDir,
  ];
}
