import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from './cli.js';

/**
 * Vitest's global setup: the integration tests run dist/, so `npx vitest run test/x.test.ts` after an
 * edit in src/ would test the code as it was. When any input of the build is newer than the build (or
 * there is no build), the build runs first; `npm test` has just built, so there it costs one stat walk.
 * In watch mode the same check runs before every rerun, since the edit that triggers it is in src/.
 */
export default function setup(project: TestProject): void {
  buildIfStale();
  project.onTestsRerun(() => buildIfStale());
}

function buildIfStale(): void {
  const stale = staleBuildInput(REPO_ROOT);
  if (stale === null) return;
  process.stderr.write(`test setup: ${stale} is newer than dist/; building first\n`);
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/**
 * What the build writes, first to last (scripts/build.mjs empties dist/ and then writes these): a build
 * that stopped half-way leaves the bundle without the help text, and counts as missing.
 */
const BUILD_OUTPUTS = ['dist/cli.js', 'dist/help-text.js'];
/**
 * What the build reads: the sources, the build script, and the dependencies it bundles (package.json,
 * and the lockfile that `npm ci` installs from). A folder counts too: deleting or renaming a file in it
 * changes the folder's time, not any file's.
 */
const BUILD_INPUTS = ['src', 'scripts/build.mjs', 'package.json', 'package-lock.json'];

/** The first build input newer than the build, a missing output of the build, or null. */
export function staleBuildInput(root: string): string | null {
  let built = Number.POSITIVE_INFINITY;
  for (const output of BUILD_OUTPUTS) {
    const time = mtimeOf(path.join(root, output));
    if (time === null) return `${output} (missing)`;
    built = Math.min(built, time);
  }
  for (const input of BUILD_INPUTS) {
    for (const entry of entriesUnder(path.join(root, input))) {
      if ((mtimeOf(entry) ?? 0) > built) return path.relative(root, entry);
    }
  }
  return null;
}

/** The entry itself and, for a folder, every file and folder below it. */
function entriesUnder(entry: string): string[] {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return [];
  if (!info.isDirectory()) return [entry];
  const below = readdirSync(entry, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isDirectory())
    .map((e) => path.join(e.parentPath, e.name));
  return [entry, ...below];
}

function mtimeOf(file: string): number | null {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null;
}
