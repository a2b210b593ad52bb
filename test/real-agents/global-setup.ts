import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * Installs the pinned agent CLIs (once; later runs reuse the cache folder) and tells the tests where
 * their executables are, in GP_AGENTS_BIN.
 */
export default function setup(): void {
  const bin = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'install-agents.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  process.env.GP_AGENTS_BIN = bin;
}
