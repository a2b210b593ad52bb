import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { shellQuote } from '../core/command-text.js';
import { which } from './which.js';

/**
 * How the user started this program, as words to print in front of a hint (`git parallel`, or
 * `node /path/to/bin/git-parallel.js` for someone who ran the bin by hand), so a printed command works as
 * typed. `git parallel` only when the `git-parallel` on PATH is this very script: that is what git runs.
 * The script is given by absolute path, since hints may follow a `cd`.
 */
export async function invocationPrefix(options: {
  /** process.argv0: the Node executable as the user typed it. */
  argv0: string;
  /** process.argv[1]: the script Node runs (absolute). */
  script: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<string> {
  if (!options.script) return 'git parallel';
  const script = path.resolve(options.cwd, options.script);
  const onPath = await which('git-parallel', options.cwd, options.env);
  if (onPath && (await sameFile(onPath, script))) return 'git parallel';
  const node = options.argv0.includes('/') ? path.resolve(options.cwd, options.argv0) : options.argv0;
  return `${shellQuote(node)} ${shellQuote(script)}`;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}
