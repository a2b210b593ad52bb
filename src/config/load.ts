import { homedir } from 'node:os';
import path from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { UsageError } from '../errors.js';
import { type Config, checkConfig, DEFAULT_CONFIG } from './schema.js';

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
}

const MODULE = 'git-parallel';

/** Where a repository's config may live, in the order cosmiconfig looks in each folder. */
export const REPOSITORY_CONFIG_FILES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `${MODULE}.config.js`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.ts`,
  `${MODULE}.config.json`,
];

const USER_CONFIG_FILES = ['config.json', 'config.yaml', 'config.yml', 'config.js', 'config.mjs'];

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
  const repoExplorer = cosmiconfig(MODULE, {
    searchPlaces: REPOSITORY_CONFIG_FILES,
    searchStrategy: 'none',
    cache: false,
  });
  const userExplorer = cosmiconfig(MODULE, {
    searchPlaces: USER_CONFIG_FILES,
    searchStrategy: 'none',
    cache: false,
  });

  const user = await readChecked(() => userExplorer.search(userConfigDir(env)));
  let repository: Awaited<ReturnType<typeof readChecked>> = null;
  for (const dir of foldersUpTo(cwd, repoRoot)) {
    repository = await readChecked(() => repoExplorer.search(dir));
    if (repository) break;
  }

  const sources: ConfigSource[] = [];
  let config: Config = { ...DEFAULT_CONFIG };
  if (user) {
    sources.push({ file: user.filepath, scope: 'user' });
    config = merge(config, user.config);
  }
  if (repository) {
    sources.push({ file: repository.filepath, scope: 'repository' });
    config = merge(config, repository.config);
  }
  const repositoryAgents = repository
    ? Object.keys((repository.config.agents as object | undefined) ?? {})
    : [];
  return { config, sources, repositoryAgents, repositoryConfig: repository?.config ?? null };
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
    const where = (error as { filepath?: string }).filepath ?? '';
    const first = String((error as Error).message).split('\n')[0];
    throw new UsageError(`could not read config ${where}: ${first}`.replace('config : ', 'config: '));
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
