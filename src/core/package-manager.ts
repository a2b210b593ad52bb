import { type InstallScripts, LIFECYCLE_SCRIPTS } from './trust.js';

/**
 * Which package manager a Node project uses and how it installs exactly its lockfile. Pure: the names
 * of the files present and the package.json's `packageManager` field in, a decision out.
 */
export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface PackageManagerChoice {
  name: PackageManagerName;
  /** The lockfile, relative to the repository root; null when the project has none. */
  lockfile: string | null;
  /**
   * The install command (a fixed string: nothing from the user or the repository is interpolated), or
   * null when this package manager cannot install without writing a lockfile the project does not have.
   */
  install: string | null;
  /**
   * The same install with lifecycle scripts turned off (the project's and its dependencies'
   * preinstall/install/postinstall/prepare): what runs in a candidate until the user approves them.
   */
  installWithoutScripts: string | null;
}

/** Lockfiles in the order they are looked for when package.json does not name its package manager. */
export const LOCKFILES: readonly { file: string; name: PackageManagerName }[] = [
  { file: 'package-lock.json', name: 'npm' },
  { file: 'npm-shrinkwrap.json', name: 'npm' },
  { file: 'pnpm-lock.yaml', name: 'pnpm' },
  { file: 'yarn.lock', name: 'yarn' },
  { file: 'bun.lock', name: 'bun' },
  { file: 'bun.lockb', name: 'bun' },
];

/**
 * The package manager of a project, or null when there is no package.json. `packageManager`
 * ("pnpm@9.1.0", Corepack's field) wins when one of its lockfiles is present; otherwise the first
 * lockfile found decides. A project without a lockfile is installed WITHOUT writing one
 * (`npm install --no-package-lock`…): a lockfile that appears in every candidate would count as every
 * agent's work in compare and be committed by pick (issue 11 item 5). Yarn 2+ has no such flag, so it
 * gets no install there.
 */
export function choosePackageManager(facts: {
  files: ReadonlySet<string>;
  packageManagerField: string | null;
}): PackageManagerChoice | null {
  if (!facts.files.has('package.json')) return null;
  const declared = facts.packageManagerField?.split('@')[0] as PackageManagerName | undefined;
  const present = LOCKFILES.filter((l) => facts.files.has(l.file));
  const lock = present.find((l) => l.name === declared) ?? present[0];
  const yarnBerry =
    facts.files.has('.yarnrc.yml') || /^yarn@([2-9]|\d\d)/.test(facts.packageManagerField ?? '');
  if (!lock) {
    const name = declared && ['npm', 'pnpm', 'yarn', 'bun'].includes(declared) ? declared : 'npm';
    const install = installWithoutLockfile(name, yarnBerry);
    return {
      name,
      lockfile: null,
      install,
      installWithoutScripts: install === null ? null : `${install} ${noScripts(name, yarnBerry)}`,
    };
  }
  const install = frozenInstall(lock.name, yarnBerry);
  return {
    name: lock.name,
    lockfile: lock.file,
    install,
    installWithoutScripts: `${install} ${noScripts(lock.name, yarnBerry)}`,
  };
}

/** An install that writes no lockfile; null when the package manager has no way to. */
function installWithoutLockfile(name: PackageManagerName, yarnBerry: boolean): string | null {
  switch (name) {
    case 'npm':
      return 'npm install --no-package-lock';
    case 'pnpm':
      return 'pnpm install --no-lockfile';
    case 'yarn':
      return yarnBerry ? null : 'yarn install --no-lockfile';
    case 'bun':
      return 'bun install --no-save';
  }
}

/** The flag that turns lifecycle scripts off. */
function noScripts(name: PackageManagerName, yarnBerry: boolean): string {
  return name === 'yarn' && yarnBerry ? '--mode=skip-build' : '--ignore-scripts';
}

/** The install that reproduces the lockfile exactly and fails rather than change it. */
function frozenInstall(name: PackageManagerName, yarnBerry: boolean): string {
  switch (name) {
    case 'npm':
      return 'npm ci';
    case 'pnpm':
      return 'pnpm install --frozen-lockfile';
    case 'yarn':
      // Yarn 2+ (a .yarnrc.yml beside the lockfile) renamed --frozen-lockfile to --immutable.
      return yarnBerry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile';
    case 'bun':
      return 'bun install --frozen-lockfile';
  }
}

/** The files that decide how a project installs: package.json, Yarn 2's rc file and the lockfiles. */
export const PACKAGE_FILES: readonly string[] = [
  'package.json',
  '.yarnrc.yml',
  ...LOCKFILES.map((l) => l.file),
];

/** What a folder, or a commit, holds of a Node project: which of PACKAGE_FILES exist, and package.json's text. */
export interface PackageFiles {
  files: ReadonlySet<string>;
  packageJson: string | null;
}

/** package.json parsed, or null when there is none or it does not parse (the package manager says why). */
function parsePackageJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function packageManagerOf(project: PackageFiles): PackageManagerChoice | null {
  const field = parsePackageJson(project.packageJson)?.packageManager;
  return choosePackageManager({
    files: project.files,
    packageManagerField: typeof field === 'string' ? field : null,
  });
}

/** Whether package.json declares anything to install (a project without dependencies needs no install). */
export function declaresDependencies(packageJson: string | null): boolean {
  const parsed = parsePackageJson(packageJson);
  // A package.json that does not parse: let the package manager say so.
  if (parsed === null) return packageJson !== null;
  return ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].some(
    (key) => typeof parsed[key] === 'object' && parsed[key] !== null && Object.keys(parsed[key]).length > 0,
  );
}

/** The install a candidate may get and the project's own lifecycle scripts; null for nothing to install. */
export function installScriptsOf(project: PackageFiles): InstallScripts | null {
  const choice = packageManagerOf(project);
  if (!choice?.install) return null;
  // Nothing to install, nothing that runs (the demo's package.json, for one).
  if (!choice.lockfile && !declaresDependencies(project.packageJson)) return null;
  const scripts = parsePackageJson(project.packageJson)?.scripts;
  const table = typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {};
  const own = Object.fromEntries(
    LIFECYCLE_SCRIPTS.filter((name) => typeof table[name] === 'string').map((name) => [
      name,
      table[name] as string,
    ]),
  );
  return { install: choice.install, scripts: own };
}
