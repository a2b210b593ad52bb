import {
  declaresDependencies,
  type PackageFiles,
  type PackageManagerChoice,
  packageManagerOf,
} from './package-manager.js';

/** How the candidates get node_modules (see io/deps.ts for what each method does and why it is safe). */
export type DepsMethod = 'clone' | 'hardlink' | 'install' | 'none';

export interface DepsPlan {
  method: DepsMethod;
  /** Why this method, for the progress line and the dry run. */
  reason: string;
  choice: PackageManagerChoice | null;
  /** A line the user should see (a project whose dependencies cannot be provided). */
  warning?: string;
}

/**
 * What the dependency method is decided on, gathered before any worktree exists: the candidates' side
 * is the run's base commit (every candidate is checked out from it), the other side the main worktree.
 */
export interface DepsFacts {
  mode: 'auto' | 'install' | 'none';
  /** The package files of the base commit. */
  base: PackageFiles;
  nodeModulesIgnored: boolean;
  mainHasNodeModules: boolean;
  /** Whether the main worktree's lockfile is byte for byte the base's. */
  sameLockfile: boolean;
  /** Why the main worktree's node_modules does not match its lockfile, or null when it does. */
  staleNodeModules: string | null;
  /** Whether the worktrees are made on the main worktree's file system. */
  sameFileSystem: boolean;
  /** Whether that file system makes copy-on-write clones (probed only when it matters). */
  canClone: boolean;
}

/** Decides once per run how candidates get node_modules: the fastest method that keeps each its own. */
export function chooseDeps(facts: DepsFacts): DepsPlan {
  if (facts.mode === 'none') return { method: 'none', reason: 'deps is "none"', choice: null };
  const choice = packageManagerOf(facts.base);
  if (!choice) return { method: 'none', reason: 'no package.json', choice: null };
  // Preparing must leave `git status` empty: a node_modules git does not ignore would be every agent's work.
  if (!facts.nodeModulesIgnored) {
    return {
      method: 'none',
      reason: 'node_modules is not gitignored',
      choice,
      warning:
        "node_modules is not gitignored, so the candidates get no dependencies (they would show as every agent's work); add node_modules/ to .gitignore",
    };
  }
  if (!choice.lockfile && !declaresDependencies(facts.base.packageJson))
    return { method: 'none', reason: 'package.json declares no dependencies', choice };
  if (choice.install === null) {
    return {
      method: 'none',
      reason: `${choice.name} cannot install without writing a lockfile`,
      choice,
      warning: `the project has no lockfile and ${choice.name} cannot install without writing one; the candidates get no node_modules (commit a lockfile, or install in setup)`,
    };
  }
  if (facts.mode === 'install') return { method: 'install', reason: 'deps is "install"', choice };
  if (!facts.mainHasNodeModules)
    return { method: 'install', reason: 'the main worktree has no node_modules', choice };
  if (!choice.lockfile) return { method: 'install', reason: 'the project has no lockfile', choice };
  if (!facts.sameLockfile)
    return { method: 'install', reason: `${choice.lockfile} differs from the main worktree's`, choice };
  if (facts.staleNodeModules) return { method: 'install', reason: facts.staleNodeModules, choice };
  if (!facts.sameFileSystem) {
    return {
      method: 'install',
      reason: 'the worktrees are on another file system than the main worktree',
      choice,
    };
  }
  if (facts.canClone) return { method: 'clone', reason: 'copy-on-write clone', choice };
  return { method: 'hardlink', reason: 'hard links; this file system cannot clone', choice };
}
