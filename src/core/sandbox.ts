import path from 'node:path';

/**
 * `--sandbox` (issue 17): what one agent may change, as data, and the two ways of enforcing it —
 * bubblewrap's argv on Linux and a sandbox-exec profile on macOS. Pure: the facts (which refs exist,
 * which HOME folders exist) are gathered by io/sandbox.ts.
 *
 * Git's common folder is shared by every worktree, so the narrowest binding that still lets an agent
 * commit on its own branch is: the objects folder (new objects; existing ones are never rewritten by git),
 * its own `worktrees/<id>/` (HEAD, index, its reflog), its own branch's reflog file, and the `refs/heads/`
 * folder (a ref update writes `<ref>.lock` beside the ref and renames it) — with every OTHER branch's ref
 * file, and every folder of refs/heads/ that does not lead to its own branch, bound read-only on top.
 * Renaming onto or unlinking a mount point fails with EBUSY, so those refs cannot be moved or deleted,
 * and the folders on the way to its own branch are bound onto themselves so they cannot be renamed away.
 */
export interface SandboxPlan {
  /** The candidate's worktree: writable. */
  worktree: string;
  /** The candidate's own `<common>/worktrees/<id>` folder: writable. */
  gitDir: string;
  commonDir: string;
  /** The candidate's branch, e.g. `add-auth-1`. */
  branch: string;
  /** Every other loose branch under refs/heads/, by name (packed-only ones are made loose first). */
  otherBranches: string[];
  /** The existing pack files (`objects/pack/*.pack`, `*.idx`…): bound read-only, so they cannot be deleted. */
  packFiles: string[];
  /** `<state>/agents`: where the agent's status hooks write. Writable. */
  agentStateDir: string;
  /** Existing folders and files of HOME the agent keeps its config and caches in: writable. */
  writable: string[];
  /** Existing secret folders hidden behind an empty tmpfs, and secret files hidden behind /dev/null. */
  hiddenDirs: string[];
  hiddenFiles: string[];
  /**
   * Paths the agent must still read although a private /tmp hides them when they live there: HOME, the
   * main worktree, the common folder, other candidates' worktrees, the agent's executable's folder…
   * Outside /tmp they are read-only through `/` anyway; binding them again changes nothing.
   */
  readable: string[];
}

/** HOME folders and files each agent keeps its config, login and caches in, by executable name. */
export const AGENT_HOME_PATHS: Record<string, string[]> = {
  claude: ['.claude', '.claude.json'],
  codex: ['.codex'],
  gemini: ['.gemini'],
  opencode: ['.config/opencode', '.local/share/opencode', '.local/state/opencode'],
  copilot: ['.copilot'],
  'cursor-agent': ['.cursor'],
  aider: ['.aider'],
};
/** Every agent gets these: package managers and tools cache here. */
export const SHARED_HOME_PATHS = ['.cache', '.npm'];
/** Hidden from every agent: keys and credentials it has no business reading. */
export const HIDDEN_HOME_DIRS = ['.ssh', '.gnupg', '.aws', '.kube', '.docker'];
export const HIDDEN_HOME_FILES = ['.netrc', '.git-credentials'];

/** The HOME paths (absolute) an agent may write, from its executable's basename. */
export function homeWritablePaths(executable: string, home: string): string[] {
  const own = AGENT_HOME_PATHS[path.basename(executable)] ?? [];
  return [...own, ...SHARED_HOME_PATHS].map((p) => path.join(home, p));
}

/**
 * Which paths under refs/heads/ (relative) to bind read-only so that only `branch` can be updated:
 * the other refs in the folders leading to `branch` one by one, and any other folder as a whole
 * (a folder holding mount points can still be renamed, a mount point cannot). `ownDirs` are the folders
 * leading to `branch`, bound onto themselves so they cannot be renamed.
 */
export function refProtection(
  branch: string,
  otherBranches: string[],
): { ownDirs: string[]; files: string[]; dirs: string[] } {
  const parts = branch.split('/');
  const ownDirs = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
  const own = new Set(ownDirs);
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const other of otherBranches) {
    if (other === branch) continue;
    const segments = other.split('/');
    for (let i = 0; i < segments.length; i++) {
      const prefix = segments.slice(0, i + 1).join('/');
      if (i === segments.length - 1) files.add(prefix);
      else if (!own.has(prefix)) dirs.add(prefix);
      else continue;
      break;
    }
  }
  return { ownDirs, files: [...files].sort(), dirs: [...dirs].sort() };
}

/** The bubblewrap command line that runs `command` inside the plan's sandbox. Later mounts cover earlier ones. */
export function bwrapArgv(bwrap: string, plan: SandboxPlan, command: string[]): string[] {
  const heads = path.join(plan.commonDir, 'refs', 'heads');
  const protection = refProtection(plan.branch, plan.otherBranches);
  const bind = (flag: string, p: string) => [flag, p, p];
  return [
    bwrap,
    '--die-with-parent',
    // Its own process ids: it cannot see or signal the user's other processes, other agents included.
    '--unshare-pid',
    ...['--ro-bind', '/', '/'],
    ...['--dev', '/dev'],
    ...['--proc', '/proc'],
    ...['--tmpfs', '/tmp'],
    ...plan.readable.flatMap((p) => bind('--ro-bind-try', p)),
    // An empty, read-only tmpfs: nothing of the real folder shows, and nothing can be left in it.
    ...plan.hiddenDirs.flatMap((p) => ['--tmpfs', p, '--remount-ro', p]),
    ...plan.hiddenFiles.flatMap((p) => ['--ro-bind', '/dev/null', p]),
    ...plan.writable.flatMap((p) => bind('--bind-try', p)),
    ...bind('--bind', plan.worktree),
    ...bind('--bind', path.join(plan.commonDir, 'objects')),
    ...bind('--bind', plan.gitDir),
    ...bind('--bind', heads),
    ...protection.ownDirs.flatMap((d) => bind('--bind', path.join(heads, d))),
    ...bind('--bind', path.join(plan.commonDir, 'logs', 'refs', 'heads', plan.branch)),
    ...bind('--bind', plan.agentStateDir),
    ...protection.dirs.flatMap((d) => bind('--ro-bind', path.join(heads, d))),
    ...protection.files.flatMap((f) => bind('--ro-bind', path.join(heads, f))),
    ...plan.packFiles.flatMap((f) => bind('--ro-bind', f)),
    // Claude Code takes this as "it runs in a sandbox" and then accepts skip-permission mode as root.
    ...['--setenv', 'IS_SANDBOX', '1'],
    ...['--chdir', plan.worktree],
    '--',
    ...command,
  ];
}

/**
 * The same rules as a macOS sandbox-exec (SBPL) profile. In SBPL the last matching rule wins, so the
 * denials of other refs and secrets come after the allowances. macOS has no private /tmp: the agent may
 * write the shared temporary folders instead.
 */
export function sandboxExecProfile(plan: SandboxPlan): string {
  const heads = path.join(plan.commonDir, 'refs', 'heads');
  const protection = refProtection(plan.branch, plan.otherBranches);
  const q = (p: string) => JSON.stringify(p);
  const subpath = (p: string) => `  (subpath ${q(p)})`;
  const literal = (p: string) => `  (literal ${q(p)})`;
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny file-write*)',
    '(allow file-write*',
    ...[plan.worktree, path.join(plan.commonDir, 'objects'), plan.gitDir, heads, plan.agentStateDir].map(
      subpath,
    ),
    literal(path.join(plan.commonDir, 'logs', 'refs', 'heads', plan.branch)),
    ...plan.writable.map(subpath),
    ...['/private/tmp', '/private/var/folders', '/dev'].map(subpath),
    ')',
  ];
  const deniedRefs = [
    ...protection.dirs.map((d) => subpath(path.join(heads, d))),
    ...protection.files.flatMap((f) => [
      literal(path.join(heads, f)),
      literal(`${path.join(heads, f)}.lock`),
    ]),
  ];
  if (deniedRefs.length > 0) lines.push('(deny file-write*', ...deniedRefs, ')');
  const secrets = [...plan.hiddenDirs.map(subpath), ...plan.hiddenFiles.map(literal)];
  if (secrets.length > 0) lines.push('(deny file-read* file-write*', ...secrets, ')');
  return `${lines.join('\n')}\n`;
}

/** The macOS command line: sandbox-exec with the profile inline; IS_SANDBOX set by `env` inside it. */
export function sandboxExecArgv(plan: SandboxPlan, command: string[]): string[] {
  return [
    '/usr/bin/sandbox-exec',
    '-p',
    sandboxExecProfile(plan),
    '/usr/bin/env',
    'IS_SANDBOX=1',
    ...command,
  ];
}
