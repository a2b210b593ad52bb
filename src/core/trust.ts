import { createHash } from 'node:crypto';
import { type Config, HOOK_NAMES } from './config-shape.js';

/**
 * What a repository's config would make git-parallel run: its setup commands, hooks, agent definitions
 * and check. A freshly cloned repository must not run commands the user never saw, so these run only
 * once the user approved this exact list (`git parallel trust`); the approval is keyed by a hash of the
 * list, so any change asks again. The user's own config is trusted: they wrote it.
 */
export interface RepositoryCommand {
  /** Where it is in the config: `setup[1]`, `hooks.postCreate[0]`, `agents.claude`, `check`. */
  key: string;
  /** What runs, as the user reads it. */
  command: string;
  /** A line of warning to show beside it (a redefined built-in agent). */
  note?: string;
}

/**
 * What an install in a candidate would run besides unpacking: the project's own lifecycle scripts
 * (package.json's preinstall, install, postinstall, prepare…) and those of its dependencies. They run
 * only once approved; until then the install runs with scripts turned off (`npm ci --ignore-scripts`).
 */
export interface InstallScripts {
  /** The install command as it runs once approved. */
  install: string;
  /** The project's own lifecycle scripts by name. */
  scripts: Record<string, string>;
}

export const LIFECYCLE_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'dependencies',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
] as const;

export function installScriptsCommand(install: InstallScripts): RepositoryCommand {
  const own = Object.entries(install.scripts).map(([name, command]) => `${name}: ${command}`);
  return {
    key: 'deps',
    command: `${install.install} with lifecycle scripts (${own.length > 0 ? `package.json ${own.join('; ')}; ` : ''}and those of the dependencies)`,
  };
}

export function repositoryCommands(
  layer: Partial<Config> | null,
  presetNames: readonly string[],
  install: InstallScripts | null = null,
): RepositoryCommand[] {
  const commands: RepositoryCommand[] = [];
  if (install) commands.push(installScriptsCommand(install));
  if (!layer) return commands;
  for (const [i, command] of (layer.setup ?? []).entries()) commands.push({ key: `setup[${i}]`, command });
  for (const name of HOOK_NAMES) {
    for (const [i, command] of hookCommands(layer.hooks?.[name]).entries())
      commands.push({ key: `hooks.${name}[${i}]`, command });
  }
  for (const name of Object.keys(layer.agents ?? {}).sort()) {
    const spec = layer.agents![name]!;
    const parts = [spec.command, ...(spec.args ?? [])].join(' ');
    const extras = [
      spec.yolo?.length ? `yolo: ${spec.yolo.join(' ')}` : '',
      spec.env && Object.keys(spec.env).length > 0
        ? `env: ${Object.entries(spec.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : '',
    ].filter(Boolean);
    commands.push({
      key: `agents.${name}`,
      command: extras.length ? `${parts}  (${extras.join('; ')})` : parts,
      ...(presetNames.includes(name) ? { note: `redefines the built-in agent ${name}` } : {}),
    });
  }
  if (typeof layer.check === 'string' && layer.check !== '')
    commands.push({ key: 'check', command: layer.check });
  commands.push(...repositorySettings(layer));
  return commands;
}

/**
 * The settings that change what an agent may do or what runs, without being a command: skip-permission
 * mode, the model, a Zellij layout template (its panes can run programs), and a worktree folder outside
 * the repository's parent folder. They need approval like commands do (issue 13 item 4).
 */
export function repositorySettings(layer: Partial<Config>): RepositoryCommand[] {
  const settings: RepositoryCommand[] = [];
  if (layer.yolo === true)
    settings.push({ key: 'yolo', command: 'true (agents start with their skip-permission flags)' });
  if (typeof layer.model === 'string') settings.push({ key: 'model', command: layer.model });
  if (typeof layer.layout === 'string' && isZellijTemplatePath(layer.layout))
    settings.push({
      key: 'layout',
      command: `${layer.layout} (a Zellij layout; its panes can run programs)`,
    });
  if (typeof layer.worktreeDir === 'string' && worktreeDirLeavesParent(layer.worktreeDir))
    settings.push({
      key: 'worktreeDir',
      command: `${layer.worktreeDir} (outside the folder that holds the repository)`,
    });
  return settings;
}

const isZellijTemplatePath = (layout: string) => layout.endsWith('.kdl');

/**
 * Whether a worktree pattern puts worktrees anywhere but inside the repository or beside it (one `..`
 * at the start at most): elsewhere a repository could check its files out into the user's other folders.
 */
export function worktreeDirLeavesParent(pattern: string): boolean {
  if (pattern.startsWith('/') || pattern.startsWith('~') || /^[A-Za-z]:[\\/]/.test(pattern)) return true;
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const ups = segments.filter((s) => s === '..').length;
  if (segments.some((s) => s === '.git')) return true;
  return ups > 1 || (ups === 1 && segments[0] !== '..');
}

/** A hook setting as a list of commands. */
export function hookCommands(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * The approval key: a hash of exactly what would run. The agent definitions are hashed whole (command,
 * arguments, environment, flags), since each part changes what runs.
 */
export function commandsHash(layer: Partial<Config> | null, install: InstallScripts | null = null): string {
  const agents = Object.fromEntries(
    Object.keys(layer?.agents ?? {})
      .sort()
      .map((name) => [name, canonical(layer!.agents![name])]),
  );
  const subject = {
    setup: layer?.setup ?? [],
    hooks: Object.fromEntries(HOOK_NAMES.map((name) => [name, hookCommands(layer?.hooks?.[name])])),
    agents,
    check: layer?.check ?? null,
    // Present only when set, so the hash of a config without them is what it always was.
    ...Object.fromEntries(repositorySettings(layer ?? {}).map((s) => [`setting.${s.key}`, s.command])),
    ...(install ? { install } : {}),
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(subject)))
    .digest('hex');
}

/**
 * Whether a run would execute anything the repository's config defines: its setup, its hooks, or an
 * agent of the line-up that the repository's config defines (or redefines).
 */
export function runUsesRepositoryCommands(
  layer: Partial<Config> | null,
  lineupAgents: readonly string[],
): boolean {
  if (!layer) return false;
  if ((layer.setup ?? []).length > 0) return true;
  if (repositorySettings(layer).length > 0) return true;
  if (HOOK_NAMES.some((name) => hookCommands(layer.hooks?.[name]).length > 0)) return true;
  return lineupAgents.some((agent) => Object.hasOwn(layer.agents ?? {}, agent));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
