import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PANE_SHELL } from '../core/pane-script.js';

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

/**
 * The argv a pane runs, up to the run's own words: `/bin/sh` with core/pane-script.ts's one-line program,
 * handed Node and our own bin by absolute path (no PATH needed); core/session-request.ts adds the task,
 * the candidate and the state folder as the program's arguments (never inside its text). Node sets up
 * and leaves; `sh` stays with the agent (issue 18).
 */
export function launcherPrefix(): string[] {
  return [
    '/bin/sh',
    '-c',
    PANE_SHELL,
    'git-parallel',
    process.execPath,
    path.join(packageRoot(), 'bin', 'git-parallel.js'),
  ];
}
