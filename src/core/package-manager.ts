/**
 * Which package manager a Node project uses and how it installs exactly its lockfile. Pure: the names
 * of the files present and the package.json's `packageManager` field in, a decision out.
 */
export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface PackageManagerChoice {
  name: PackageManagerName;
  /** The lockfile, relative to the repository root; null when the project has none. */
  lockfile: string | null;
  /** The install command (a fixed string: nothing from the user or the repository is interpolated). */
  install: string;
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
 * lockfile found decides; a project without a lockfile gets `npm install`.
 */
export function choosePackageManager(facts: {
  files: ReadonlySet<string>;
  packageManagerField: string | null;
}): PackageManagerChoice | null {
  if (!facts.files.has('package.json')) return null;
  const declared = facts.packageManagerField?.split('@')[0] as PackageManagerName | undefined;
  const present = LOCKFILES.filter((l) => facts.files.has(l.file));
  const lock = present.find((l) => l.name === declared) ?? present[0];
  if (!lock) {
    const name = declared && ['npm', 'pnpm', 'yarn', 'bun'].includes(declared) ? declared : 'npm';
    return { name, lockfile: null, install: `${name} install` };
  }
  return {
    name: lock.name,
    lockfile: lock.file,
    install: frozenInstall(lock.name, facts.files.has('.yarnrc.yml')),
  };
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
