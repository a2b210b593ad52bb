import { randomUUID } from 'node:crypto';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../core/config-shape.js';
import { UsageError } from '../errors.js';
import { checkConfig, DEFAULT_CONFIG } from './schema.js';

export interface ConfigSource {
  /** Which file the setting came from; null for built-in defaults. */
  file: string | null;
  scope: 'user' | 'repository';
}

export interface LoadedConfig {
  config: Config;
  /** Files that were read, user's first. */
  sources: ConfigSource[];
  /** Agent names defined by the repository's config (not the user's): issue-5 trust applies to these. */
  repositoryAgents: string[];
  /** The repository config's own settings, before merging (trust looks at the commands it defines). */
  repositoryConfig: Partial<Config> | null;
  /** The file that set each key (the repository's over the user's): problems found later name it. */
  origins: Partial<Record<keyof Config, string>>;
  /** Things to tell the user that do not stop the command (a second config file beside the one read). */
  warnings: string[];
}

const MODULE = 'git-parallel';

/** Whether a file exists: config/ sits below io/ (it is read by io/trust.ts), so it does not use io/files.ts. */
const isThere = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Where a repository's config may live, in the order cosmiconfig looks in each folder: cosmiconfig's own
 * default places (so `.cjs` and `.config/git-parallelrc.json` work as in every other cosmiconfig tool),
 * plus `git-parallel.config.json`, which this tool read from the start.
 */
export const REPOSITORY_CONFIG_FILES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.ts`,
  `.${MODULE}rc.cjs`,
  `.${MODULE}rc.mjs`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.json`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `.config/${MODULE}rc.js`,
  `.config/${MODULE}rc.ts`,
  `.config/${MODULE}rc.cjs`,
  `.config/${MODULE}rc.mjs`,
  `${MODULE}.config.js`,
  `${MODULE}.config.ts`,
  `${MODULE}.config.cjs`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.json`,
];

const USER_CONFIG_FILES = [
  'config.json',
  'config.yaml',
  'config.yml',
  'config.js',
  'config.ts',
  'config.cjs',
  'config.mjs',
];

/** Our own loaders: JSON errors with line and column, TypeScript without the project's typescript. */
const LOADERS = { '.json': loadJsonConfig, '.ts': loadTypeScriptConfig };

/** `$XDG_CONFIG_HOME/git-parallel`, else `~/.config/git-parallel` (also on macOS, like git and tmux). */
export function userConfigDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, MODULE);
}

/**
 * Loads the user's config, then the repository's (searched from `cwd` up to `repoRoot`, the nearest
 * wins), and merges them over the defaults: repository over user over defaults. Agent definitions merge
 * by name; every other key is replaced whole.
 */
export async function loadConfig(
  cwd: string,
  repoRoot: string,
  env: NodeJS.ProcessEnv,
): Promise<LoadedConfig> {
  const warnings: string[] = [];
  const userDir = userConfigDir(env);
  const user = await readChecked(() => searchFolder(userDir, USER_CONFIG_FILES));
  if (user) warnings.push(...(await sideBySide(userDir, USER_CONFIG_FILES, user.filepath)));
  let repository: Awaited<ReturnType<typeof readChecked>> = null;
  for (const dir of foldersUpTo(cwd, repoRoot)) {
    repository = await readChecked(() => searchFolder(dir, REPOSITORY_CONFIG_FILES));
    if (repository) {
      warnings.push(...(await sideBySide(dir, REPOSITORY_CONFIG_FILES, repository.filepath)));
      break;
    }
  }

  const sources: ConfigSource[] = [];
  const origins: Partial<Record<keyof Config, string>> = {};
  let config: Config = { ...DEFAULT_CONFIG };
  for (const [layer, scope] of [
    [user, 'user'],
    [repository, 'repository'],
  ] as const) {
    if (!layer) continue;
    sources.push({ file: layer.filepath, scope });
    config = merge(config, layer.config);
    for (const key of Object.keys(layer.config) as (keyof Config)[]) origins[key] = layer.filepath;
  }
  // A repository may turn the sandbox on, never off: `sandbox: false` in a repository's config must not
  // lower the guard the user's own config put up (issue 13's rule for keys that change what agents may do).
  if (user?.config.sandbox === true) config.sandbox = true;
  const repositoryAgents = repository
    ? Object.keys((repository.config.agents as object | undefined) ?? {})
    : [];
  return {
    config,
    sources,
    origins,
    warnings,
    repositoryAgents,
    repositoryConfig: repository?.config ?? null,
  };
}

/**
 * cosmiconfig's search of one folder, loading cosmiconfig only when the folder holds one of its places (a
 * package.json only with a "git-parallel" key): most folders hold none, and cosmiconfig with its YAML
 * and code-frame dependencies is the largest part of what `status` and `list` load (issue 18).
 */
async function searchFolder(
  dir: string,
  places: string[],
): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null> {
  let candidate = false;
  for (const place of places) {
    const file = path.join(dir, place);
    if (!(await isThere(file))) continue;
    // A package.json that is not JSON goes to cosmiconfig too, which reports it as before.
    if (place === 'package.json' && (await packageJsonConfigures(file)) === false) continue;
    candidate = true;
    break;
  }
  if (!candidate) return null;
  const loaded = await import('cosmiconfig');
  // A CommonJS package: bundled and imported lazily, its exports arrive under `default` (as sucrase's below).
  const cosmiconfig =
    (loaded as { default?: Pick<typeof loaded, 'cosmiconfig'> }).default?.cosmiconfig ?? loaded.cosmiconfig;
  const explorer = cosmiconfig(MODULE, {
    searchStrategy: 'none',
    cache: false,
    loaders: LOADERS,
    searchPlaces: places,
  });
  return explorer.search(dir);
}

/**
 * cosmiconfig reads the first config file of a folder and ignores the rest: a second one beside it is
 * almost always a mistake (an old file left behind), so it is named in a warning.
 */
async function sideBySide(dir: string, places: string[], used: string): Promise<string[]> {
  const others: string[] = [];
  for (const place of places) {
    const file = path.join(dir, place);
    if (file === used || !(await isThere(file))) continue;
    if (place === 'package.json' && !(await packageJsonConfigures(file))) continue;
    others.push(place);
  }
  if (others.length === 0) return [];
  return [
    `${dir} has more than one git-parallel config file: using ${path.relative(dir, used)}, ignoring ${others.join(', ')}`,
  ];
}

/** Whether a package.json has a "git-parallel" key; null when it cannot be read as JSON. */
async function packageJsonConfigures(file: string): Promise<boolean | null> {
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    return json !== null && typeof json === 'object' && MODULE in json;
  } catch {
    return null;
  }
}

/**
 * JSON with the parser's complaint placed by line and column (cosmiconfig's own message puts a code
 * frame first, and only its first line fits the one line of a usage error).
 */
function loadJsonConfig(filepath: string, content: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    const message = String((error as Error).message);
    // Node 20: "… in JSON at position 37"; Node 22 adds " (line 3 column 15)"; the end: no position.
    const position = Number(message.match(/at position (\d+)/)?.[1] ?? content.length);
    const before = content.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    const detail = message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    const text = content.split('\n')[line - 1]?.trim() ?? '';
    throw new ConfigReadError(
      `${filepath}:${line}:${column}: not valid JSON: ${detail}${text ? ` (at: ${text})` : ''}`,
    );
  }
}

/**
 * `git-parallel.config.ts` without TypeScript installed: sucrase (bundled into dist/, loaded only for a
 * .ts config) strips the types, and the result is imported as an ES module written beside the config, so
 * its relative imports resolve as the user wrote them. cosmiconfig's own loader needs the `typescript`
 * package, which a global install of this tool does not have (and cannot see in the project).
 */
async function loadTypeScriptConfig(filepath: string, content: string): Promise<unknown> {
  const sucrase = await import('sucrase');
  // A CommonJS package: bundled, its exports arrive under `default`; from node_modules (tests), also named.
  const transform =
    (sucrase as { default?: Pick<typeof sucrase, 'transform'> }).default?.transform ?? sucrase.transform;
  let code: string;
  try {
    code = transform(content, { transforms: ['typescript'], filePath: filepath }).code;
  } catch (error) {
    throw new ConfigReadError(`${filepath}: ${(error as Error).message}`);
  }
  const compiled = `${filepath}.${randomUUID()}.mjs`;
  await writeFile(compiled, code);
  try {
    const module = (await import(pathToFileURL(compiled).href)) as { default?: unknown };
    return module.default;
  } finally {
    await rm(compiled, { force: true });
  }
}

/** A config file that cannot be read: the message already names the file (and line, where known). */
class ConfigReadError extends Error {
  override name = 'ConfigReadError';
}

function merge(base: Config, layer: Partial<Config>): Config {
  return { ...base, ...layer, agents: { ...base.agents, ...(layer.agents ?? {}) } };
}

async function readChecked(
  read: () => Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>,
): Promise<{ config: Partial<Config>; filepath: string } | null> {
  let found: Awaited<ReturnType<typeof read>>;
  try {
    found = await read();
  } catch (error) {
    if (error instanceof ConfigReadError) throw new UsageError(`could not read config ${error.message}`);
    const where = (error as { filepath?: string }).filepath ?? '';
    throw new UsageError(`could not read config ${where}: ${errorDetail(error as Error)}`);
  }
  if (!found) return null;
  if (found.isEmpty || found.config === undefined || found.config === null)
    return { config: {}, filepath: found.filepath };
  const problems = checkConfig(found.config);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.key} ${p.message}`).join('; ');
    throw new UsageError(`${found.filepath}: ${list}`);
  }
  return { config: found.config as Partial<Config>, filepath: found.filepath };
}

/**
 * The part of a loader's error that says what is wrong, on one line: cosmiconfig starts its messages
 * with "YAML Error in <file>:" and a code frame, which alone says nothing.
 */
function errorDetail(error: Error): string {
  const lines = String(error.message)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\w+ Error in .*:$/.test(line) && !/^[>|\d ]+\|/.test(line));
  return lines[0] ?? error.name;
}

/** `from` and each parent up to and including `root`; just `from` when it is not inside `root`. */
export function foldersUpTo(from: string, root: string): string[] {
  const folders: string[] = [];
  let current = path.resolve(from);
  const stop = path.resolve(root);
  for (;;) {
    folders.push(current);
    if (current === stop) return folders;
    const parent = path.dirname(current);
    if (parent === current || !isInside(parent, stop)) return folders;
    current = parent;
  }
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
