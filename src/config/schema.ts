import { type Config, HOOK_NAMES, type HookName, isPlainObject } from '../core/config-shape.js';
import { editDistance } from '../core/edit-distance.js';
import type { AgentSpec, PromptMode } from '../core/types.js';

export const DEFAULT_CONFIG: Config = {
  agent: 'claude',
  lineup: 3,
  agents: {},
  worktreeDir: '../{repo}-worktrees/{task}-{n}',
  branch: '{task}-{n}',
  ports: { PORT: 4000 },
  portSpan: 1000,
  mux: 'auto',
  yolo: false,
  sandbox: false,
  model: null,
  layout: 'tiled',
  check: null,
  checkTimeout: 900,
  idleSeconds: 60,
  copy: [],
  link: [],
  envFile: null,
  setup: [],
  setupTimeout: 600,
  deps: 'auto',
  database: {},
  hooks: {},
};

/** One problem with one key of one config file. */
export interface ConfigProblem {
  key: string;
  message: string;
}

type Rule = (value: unknown, key: string) => ConfigProblem[];

const ok: ConfigProblem[] = [];
const problem = (key: string, message: string): ConfigProblem[] => [{ key, message }];
const describeValue = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

const isString: Rule = (v, key) =>
  typeof v === 'string' && v.length > 0
    ? ok
    : problem(key, `must be a non-empty string, got ${describeValue(v)}`);
const isBoolean: Rule = (v, key) =>
  typeof v === 'boolean' ? ok : problem(key, `must be true or false, got ${describeValue(v)}`);
const isStringOrNull: Rule = (v, key) => (v === null ? ok : isString(v, key));
const isStringArray: Rule = (v, key) =>
  Array.isArray(v) && v.every((item) => typeof item === 'string')
    ? ok
    : problem(key, `must be an array of strings, got ${describeValue(v)}`);
const isPositiveSeconds: Rule = (v, key) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0
    ? ok
    : problem(key, `must be a number of seconds above 0, got ${JSON.stringify(v)}`);
const isStringMap: Rule = (v, key) =>
  isPlainObject(v) && Object.values(v).every((item) => typeof item === 'string')
    ? ok
    : problem(key, 'must be an object whose values are strings');

const isPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
const isEnvName = (name: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);

/**
 * Why a `ports` variable name is refused, or null. A port variable is exported to every agent, hook and
 * check, so a repository could otherwise set a variable that a shell, a loader or git reads
 * (`BASH_ENV=8001` makes every bash run the file `8001`). Only names that say they hold a port are
 * taken (upper case, containing PORT: PORT, API_PORT, VITE_PORT, PORT_ADMIN), and never one with a
 * prefix that a shell, a dynamic loader, git, Node or npm reads.
 */
export function portNameProblem(name: string): string | null {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || !name.includes('PORT'))
    return 'is not a port variable name: use upper case letters, digits and _, containing PORT (e.g. PORT, API_PORT)';
  const reserved = RESERVED_PREFIXES.find((prefix) => name.startsWith(prefix));
  if (reserved)
    return `starts with ${reserved}, which shells, loaders, git, Node or npm read; pick another name (e.g. APP_${name.replace(/^_+/, '')})`;
  return null;
}
const RESERVED_PREFIXES = [
  'LD_',
  'DYLD_',
  'GIT_',
  'BASH_',
  'ZSH_',
  'NODE_',
  'NPM_',
  'TMUX',
  'ZELLIJ',
  'SSH_',
];

/**
 * Why the variable that receives a candidate's database URL (`database.postgres.env`) is refused: the
 * same levers as for ports (prefixes that shells, loaders, git, Node or npm read), and the names shells
 * and programs read whatever they hold.
 */
export function urlVariableProblem(name: string): string | null {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) return 'is not a variable name (upper case letters, digits and _)';
  if (RESERVED_NAMES.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)))
    return 'is a variable that shells, loaders, git, Node or npm read; pick another name (e.g. DATABASE_URL)';
  return null;
}
const RESERVED_NAMES = new Set([
  'PATH',
  'ENV',
  'HOME',
  'SHELL',
  'IFS',
  'CDPATH',
  'PS1',
  'PS2',
  'PS4',
  'PROMPT_COMMAND',
  'TERM',
  'TMPDIR',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'LESSOPEN',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PERL5OPT',
  'RUBYOPT',
]);

const RULES: Record<keyof Config, Rule> = {
  agent: isString,
  lineup: (v, key) =>
    (typeof v === 'number' && Number.isInteger(v) && v >= 1) || (typeof v === 'string' && v.length > 0)
      ? ok
      : problem(key, 'must be a count (e.g. 3) or a line-up string such as "claude:2,codex:1"'),
  agents: (v, key) => {
    if (!isPlainObject(v)) return problem(key, 'must be an object of agent definitions by name');
    return Object.entries(v).flatMap(([name, spec]) => checkAgentSpec(spec, `${key}.${name}`));
  },
  worktreeDir: isString,
  branch: isString,
  ports: (v, key) => {
    if (!isPlainObject(v)) return problem(key, 'must be an object such as { "PORT": 3000 }');
    return Object.entries(v).flatMap(([name, base]) => [
      ...(isEnvName(name)
        ? portNameProblem(name) === null
          ? ok
          : problem(`${key}.${name}`, portNameProblem(name)!)
        : problem(`${key}.${name}`, 'is not a valid environment variable name')),
      ...(isPort(base)
        ? ok
        : problem(`${key}.${name}`, `must be a port number (1-65535), got ${JSON.stringify(base)}`)),
    ]);
  },
  portSpan: (v, key) =>
    Number.isInteger(v) && (v as number) >= 2 && (v as number) <= 10000
      ? ok
      : problem(key, `must be a whole number from 2 to 10000, got ${JSON.stringify(v)}`),
  mux: (v, key) =>
    typeof v === 'string' && ['auto', 'tmux', 'zellij', 'none'].includes(v)
      ? ok
      : problem(key, `must be "auto", "tmux", "zellij" or "none", got ${JSON.stringify(v)}`),
  yolo: isBoolean,
  sandbox: isBoolean,
  model: isStringOrNull,
  layout: isString,
  check: isStringOrNull,
  checkTimeout: isPositiveSeconds,
  idleSeconds: isPositiveSeconds,
  copy: isStringArray,
  link: isStringArray,
  envFile: isStringOrNull,
  setup: isStringArray,
  setupTimeout: isPositiveSeconds,
  deps: (v, key) =>
    typeof v === 'string' && ['auto', 'install', 'none'].includes(v)
      ? ok
      : problem(key, `must be "auto", "install" or "none", got ${JSON.stringify(v)}`),
  database: (v, key) => {
    if (!isPlainObject(v)) return problem(key, 'must be an object such as { "sqlite": ["data/dev.db"] }');
    return checkKeys(v, DATABASE_RULES, key);
  },
  hooks: (v, key) => {
    if (!isPlainObject(v))
      return problem(key, 'must be an object such as { "postCreate": ["npm run db:seed"] }');
    return checkKeys(v, HOOK_RULES, key);
  },
};

const DATABASE_RULES: Record<'sqlite' | 'postgres', Rule> = {
  sqlite: isStringArray,
  postgres: (v, key) => {
    if (!isPlainObject(v))
      return problem(
        key,
        'must be an object such as { "url": "postgres://localhost/app_dev", "env": "DATABASE_URL" }',
      );
    const problems = checkKeys(
      v,
      {
        url: isString,
        env: (name, at) =>
          isString(name, at).length > 0
            ? isString(name, at)
            : urlVariableProblem(name as string) === null
              ? ok
              : problem(at, urlVariableProblem(name as string)!),
      },
      key,
    );
    if (v.url === undefined) problems.push({ key: `${key}.url`, message: 'is required' });
    return problems;
  },
};

const isCommandOrCommands: Rule = (v, key) =>
  typeof v === 'string' ? isString(v, key) : isStringArray(v, key);
const HOOK_RULES = Object.fromEntries(HOOK_NAMES.map((name) => [name, isCommandOrCommands])) as Record<
  HookName,
  Rule
>;

const AGENT_PROMPT_RULE: Rule = (v, key) =>
  isPromptMode(v) ? ok : problem(key, 'must be "positional", "none", "stdin" or { "flag": "-x" }');

const AGENT_RULES: Record<keyof AgentSpec, Rule> = {
  command: isString,
  args: isStringArray,
  prompt: (v, key) => AGENT_PROMPT_RULE(v, key),
  yolo: isStringArray,
  model: isString,
  env: isStringMap,
  // `review` runs an agent in its one-shot mode: { "args": ["-p"], "prompt": "stdin" }.
  oneShot: (v, key) => {
    if (!isPlainObject(v))
      return problem(key, 'must be an object such as { "args": ["-p"], "prompt": "stdin" }');
    const problems = checkKeys(v, { args: isStringArray, prompt: AGENT_PROMPT_RULE }, key);
    if (v.args === undefined) problems.push({ key: `${key}.args`, message: 'is required' });
    if (v.prompt === undefined) problems.push({ key: `${key}.prompt`, message: 'is required' });
    return problems;
  },
};

function isPromptMode(v: unknown): v is PromptMode {
  if (v === 'positional' || v === 'none' || v === 'stdin') return true;
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.flag === 'string' && v.flag.length > 0;
}

function checkAgentSpec(spec: unknown, key: string): ConfigProblem[] {
  if (!isPlainObject(spec)) return problem(key, 'must be an object with at least "command"');
  const problems = checkKeys(spec, AGENT_RULES, key);
  if (spec.command === undefined) problems.push({ key: `${key}.command`, message: 'is required' });
  return problems;
}

function checkKeys(value: Record<string, unknown>, rules: Record<string, Rule>, prefix: string) {
  const problems: ConfigProblem[] = [];
  for (const [key, item] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const rule = rules[key];
    if (!rule)
      problems.push({ key: path, message: `is not a known setting${suggestion(key, Object.keys(rules))}` });
    else if (item !== undefined) problems.push(...rule(item, path));
  }
  return problems;
}

/** Checks a config object read from one file: unknown keys and wrong types are both problems. */
export function checkConfig(value: unknown): ConfigProblem[] {
  if (!isPlainObject(value)) return problem('(top level)', `must be an object, got ${describeValue(value)}`);
  return checkKeys(value, RULES, '');
}

/** Fills a checked partial agent definition with the defaults of the shape. */
export function completeAgentSpec(partial: Partial<AgentSpec> & { command: string }): AgentSpec {
  return { args: [], prompt: 'positional', yolo: [], env: {}, ...partial };
}

function suggestion(key: string, known: string[]): string {
  // The nearest known key within two edits (a case-only difference counts as none).
  const distance = (k: string) => (k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key));
  const close = known.filter((k) => distance(k) <= 2).sort((a, b) => distance(a) - distance(b))[0];
  return close ? ` (did you mean "${close}"?)` : '';
}
