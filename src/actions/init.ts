import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPOSITORY_CONFIG_FILES } from '../config/load.js';
import { type ConfigFormat, type ProjectFacts, renderStarterConfig } from '../core/starter-config.js';
import { UsageError } from '../errors.js';
import { readPackageManager } from '../io/deps.js';
import { pathExists, readIfExists, writeFileAtomic } from '../io/files.js';
import { ignoredEntries, readRepo } from '../io/git.js';
import type { Reporter } from '../output/reporter.js';

export interface InitArgs {
  format: string;
  force: boolean;
  dryRun: boolean;
}

/**
 * `git parallel init`: looks at the project (package manager and lockfile, gitignored .env files, a
 * SQLite database, dev and test scripts) and writes a commented starter config at the repository root.
 * Never replaces an existing config without --force, and never writes a second one beside it.
 */
export async function init(
  args: InitArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  if (!['js', 'json', 'yaml'].includes(args.format)) {
    throw new UsageError(`--format must be js, json or yaml, got ${JSON.stringify(args.format)}`);
  }
  const format = args.format as ConfigFormat;
  const repo = await readRepo(io.cwd);
  const root = repo.cwdRoot;
  const facts = await detectProject(root);
  const { file, text } = renderStarterConfig(facts, format);
  const target = path.join(root, file);

  if (args.dryRun) {
    io.reporter.document({ dryRun: true, file: target, text, detected: facts });
    // The starter config is the human result: stdout, through the reporter (nothing in --json mode).
    io.reporter.print(text.replace(/\n$/, ''));
    return;
  }
  const existing = await existingConfig(root);
  if (existing && (existing !== file || !args.force)) {
    const how =
      existing === file
        ? 'use --force to replace it'
        : `edit it, or remove it first: git-parallel reads it before ${file}`;
    throw new UsageError(`${existing} already configures git-parallel in ${root}; ${how}`);
  }
  await writeFileAtomic(target, text);
  io.reporter.document({ written: target, detected: facts });
  io.reporter.info(
    `Wrote ${file}${describeFacts(facts)}. Review it, then run git parallel trust to approve its commands.`,
  );
}

async function existingConfig(root: string): Promise<string | null> {
  for (const name of REPOSITORY_CONFIG_FILES) {
    const full = path.join(root, name);
    if (name === 'package.json') {
      const text = await readIfExists(full);
      if (text !== null && /"git-parallel"\s*:/.test(text)) return 'package.json ("git-parallel" key)';
      continue;
    }
    if (await pathExists(full)) return name;
  }
  return null;
}

function describeFacts(facts: ProjectFacts): string {
  const found = [
    facts.packageManager
      ? `${facts.packageManager.name}${facts.packageManager.lockfile ? ` (${facts.packageManager.lockfile})` : ''}`
      : '',
    facts.envFiles.join(', '),
    facts.sqliteFiles.join(', '),
    Object.keys(facts.scripts)
      .map((s) => `${s} script`)
      .join(', '),
  ].filter(Boolean);
  return found.length > 0 ? ` (found: ${found.join('; ')})` : '';
}

/** Folders never searched for databases: dependencies and build output. */
const SKIP = new Set([
  'node_modules',
  '.git',
  '.next',
  '.nuxt',
  'dist',
  'build',
  'out',
  'target',
  '.venv',
  'venv',
  'vendor',
  'coverage',
  '.cache',
]);
const SQLITE_NAME = /\.(db|sqlite|sqlite3)$/i;

export async function detectProject(root: string): Promise<ProjectFacts> {
  const packageManager = await readPackageManager(root);
  let scripts: ProjectFacts['scripts'] = {};
  let moduleType: ProjectFacts['moduleType'] = 'commonjs';
  const packageText = await readIfExists(path.join(root, 'package.json'));
  if (packageText !== null) {
    try {
      const parsed = JSON.parse(packageText) as { scripts?: Record<string, string>; type?: string };
      scripts = Object.fromEntries(
        Object.entries(parsed.scripts ?? {}).filter(([name]) => name === 'dev' || name === 'test'),
      );
      moduleType = parsed.type === 'module' ? 'module' : 'commonjs';
    } catch {
      // An unreadable package.json: detect the rest.
    }
  }
  const ignored = await ignoredEntries(root);
  const envFiles = ignored.filter((e) => !e.includes('/') && /^\.env(\.|$)/.test(e)).sort();
  const sqliteFiles: string[] = [];
  for (const entry of ignored) {
    if (entry.endsWith('/')) {
      const folder = entry.slice(0, -1);
      if (!SKIP.has(path.basename(folder))) sqliteFiles.push(...(await findDatabases(root, folder, 2)));
    } else if (SQLITE_NAME.test(entry) && (await isSqlite(path.join(root, entry)))) {
      sqliteFiles.push(entry);
    }
  }
  return { packageManager, scripts, moduleType, envFiles, sqliteFiles: sqliteFiles.sort() };
}

async function findDatabases(root: string, folder: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(path.join(root, folder), { withFileTypes: true }).catch(() => []);
  for (const entry of entries.slice(0, 500)) {
    const relative = `${folder}/${entry.name}`;
    if (entry.isFile() && SQLITE_NAME.test(entry.name) && (await isSqlite(path.join(root, relative))))
      found.push(relative);
    else if (entry.isDirectory() && depth > 0 && !SKIP.has(entry.name))
      found.push(...(await findDatabases(root, relative, depth - 1)));
  }
  return found;
}

async function isSqlite(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return bytesRead === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    await handle.close();
  }
}
