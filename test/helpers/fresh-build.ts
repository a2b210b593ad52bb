import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

/**
 * Vitest's global setup: the integration tests run dist/, so `npx vitest run test/x.test.ts` after an
 * edit in src/ would test the code as it was. When any input of the build is newer than dist/cli.js (or
 * there is no build), the build runs first; `npm test` has just built, so there it costs one stat walk.
 */
export default function setup(): void {
  const stale = staleBuildInput(REPO_ROOT);
  if (stale === null) return;
  process.stderr.write(`test setup: ${stale} is newer than dist/; building first\n`);
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** The first build input newer than the build (`dist/cli.js`), the build itself when missing, or null. */
export function staleBuildInput(root: string): string | null {
  const built = mtimeOf(path.join(root, 'dist', 'cli.js'));
  if (built === null) return 'dist/cli.js (missing)';
  const inputs = ['src', 'scripts/build.mjs', 'package.json'];
  for (const input of inputs) {
    for (const file of filesUnder(path.join(root, input))) {
      if ((mtimeOf(file) ?? 0) > built) return path.relative(root, file);
    }
  }
  return null;
}

function filesUnder(entry: string): string[] {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return [];
  if (!info.isDirectory()) return [entry];
  return readdirSync(entry, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function mtimeOf(file: string): number | null {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null;
}
