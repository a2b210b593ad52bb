import type { PackageManagerChoice } from './package-manager.js';

/**
 * The starter config `git parallel init` writes: what was detected in the project, commented, in the
 * chosen format. Pure: facts in, file name and text out.
 */
export interface ProjectFacts {
  packageManager: PackageManagerChoice | null;
  /** package.json scripts that matter here: dev and test. */
  scripts: { dev?: string; test?: string };
  /** `"module"` when package.json says so (the .js config then uses `export default`). */
  moduleType: 'module' | 'commonjs';
  /** Gitignored `.env*` files at the repository root. */
  envFiles: string[];
  /** SQLite database files found (gitignored), relative to the root. */
  sqliteFiles: string[];
}

export type ConfigFormat = 'js' | 'json' | 'yaml';

export const STARTER_FILES: Record<ConfigFormat, string> = {
  js: 'git-parallel.config.js',
  json: 'git-parallel.config.json',
  yaml: '.git-parallelrc.yaml',
};

interface Entry {
  key: string;
  value: unknown;
  /** Comment lines above the entry. */
  comment: string[];
  /** Shown commented out (a suggestion), left out of JSON. */
  suggestion?: boolean;
}

export function starterEntries(facts: ProjectFacts): Entry[] {
  const entries: Entry[] = [];
  const pm = facts.packageManager;
  const run = (script: string) =>
    pm === null || pm.name === 'npm' ? `npm run ${script}` : `${pm.name} run ${script}`;

  entries.push({
    key: 'copy',
    value: facts.envFiles,
    comment: [
      'Gitignored files copied from the main worktree into every candidate (globs, relative to the root).',
      'A .worktreeinclude file (gitignore syntax) is read too.',
    ],
    suggestion: facts.envFiles.length === 0,
  });
  if (facts.envFiles.length === 0) entries.at(-1)!.value = ['.env', '.env.local'];

  const dev = facts.scripts.dev ?? '';
  const portComment = [
    'Each candidate gets base + its slot for every port here, in its environment (PORT=4161…).',
  ];
  if (/\bvite\b/.test(dev))
    portComment.push('Vite does not read PORT by itself: run it as `vite --port $PORT` in the dev script.');
  entries.push({
    key: 'ports',
    value: { PORT: /\bnext\b/.test(dev) ? 3000 : /\bvite\b/.test(dev) ? 5173 : 4000 },
    comment: portComment,
  });

  const envLocal = facts.envFiles.includes('.env.local');
  entries.push({
    key: 'envFile',
    value: '.env.local',
    comment: [
      'Also write the ports and GIT_PARALLEL_* variables into this dotenv file of each candidate',
      '(for dev servers that read .env.local rather than the environment).',
    ],
    suggestion: !envLocal,
  });

  if (pm) {
    entries.push({
      key: 'deps',
      value: 'auto',
      comment: [
        `node_modules: "auto" clones or hard-links the main worktree's when ${pm.lockfile ?? 'the lockfile'} is the same,`,
        `else runs \`${pm.install}\`; "install" always runs it; "none" leaves it alone.`,
      ],
    });
  }
  entries.push({
    key: 'setup',
    value: [],
    comment: [
      'Commands run in every new worktree before its agent starts, with its PORT and GIT_PARALLEL_* variables,',
      `for example ['${pm ? run('build') : 'make'}'].`,
    ],
  });

  if (facts.sqliteFiles.length > 0) {
    entries.push({
      key: 'database',
      value: { sqlite: facts.sqliteFiles },
      comment: ['Each candidate gets its own consistent copy of these SQLite databases.'],
    });
  } else {
    entries.push({
      key: 'database',
      value: { postgres: { url: 'postgres://localhost:5432/app_dev', env: 'DATABASE_URL' } },
      comment: [
        'A database per candidate: PostgreSQL copies app_dev into app_dev_<task>_<n> and sets DATABASE_URL.',
      ],
      suggestion: true,
    });
  }
  if (facts.scripts.test) {
    entries.push({
      key: 'check',
      value: pm === null || pm.name === 'npm' ? 'npm test' : `${pm.name} test`,
      comment: ["The project's own check, run in every candidate by `git parallel compare --check`."],
    });
  }
  return entries;
}

export function renderStarterConfig(
  facts: ProjectFacts,
  format: ConfigFormat,
): { file: string; text: string } {
  const entries = starterEntries(facts);
  const file = STARTER_FILES[format];
  if (format === 'json') {
    const object = Object.fromEntries(entries.filter((e) => !e.suggestion).map((e) => [e.key, e.value]));
    return { file, text: `${JSON.stringify(object, null, 2)}\n` };
  }
  const header = [
    'git-parallel: what every candidate worktree gets before its agent starts.',
    'Commented lines are suggestions. Commands from a repository config run only after `git parallel trust`.',
  ];
  if (format === 'yaml') {
    const lines = header.map((l) => `# ${l}`);
    for (const entry of entries) {
      lines.push('', ...entry.comment.map((l) => `# ${l}`));
      const body = yamlEntry(entry.key, entry.value);
      lines.push(...(entry.suggestion ? body.map((l) => `# ${l}`) : body));
    }
    return { file, text: `${lines.join('\n')}\n` };
  }
  const lines = header.map((l) => `// ${l}`);
  lines.push('// This file is JavaScript: git-parallel runs it when it loads the config.');
  lines.push(facts.moduleType === 'module' ? 'export default {' : 'module.exports = {');
  entries.forEach((entry, index) => {
    if (index > 0) lines.push('');
    lines.push(...entry.comment.map((l) => `  // ${l}`));
    const body = `${entry.key}: ${jsValue(entry.value)},`;
    lines.push(entry.suggestion ? `  // ${body}` : `  ${body}`);
  });
  lines.push('};');
  return { file, text: `${lines.join('\n')}\n` };
}

function jsValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(jsValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const inner = Object.entries(value).map(
      ([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${jsValue(v)}`,
    );
    return inner.length === 0 ? '{}' : `{ ${inner.join(', ')} }`;
  }
  return String(value);
}

function yamlEntry(key: string, value: unknown, indent = ''): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}${key}: []`];
    return [`${indent}${key}:`, ...value.map((item) => `${indent}  - ${yamlScalar(item)}`)];
  }
  if (typeof value === 'object' && value !== null) {
    return [`${indent}${key}:`, ...Object.entries(value).flatMap(([k, v]) => yamlEntry(k, v, `${indent}  `))];
  }
  return [`${indent}${key}: ${yamlScalar(value)}`];
}

function yamlScalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = String(value);
  return /^[A-Za-z0-9_./@-][A-Za-z0-9_./@ -]*$/.test(text) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(text) &&
    !/\s$/.test(text)
    ? text
    : JSON.stringify(text);
}
