import type { IssueReference } from './github-issue.js';

/** One command-line option as yargs takes it (a subset of yargs' Options, so core needs no yargs). */
interface OptionDeclaration {
  type: 'string' | 'boolean';
  alias?: string;
  default?: boolean;
  describe: string;
}

/**
 * The options of `git parallel <task>`, declared once: the yargs builder (commands/run.ts) is this table,
 * its argv type is inferred from it, and CreateRunArgs below is derived from it, so an option added here
 * reaches the parser, the help, the man page, the completion and createRun together.
 */
export const RUN_OPTIONS = {
  issue: {
    type: 'string',
    describe: 'take the prompt from a GitHub issue (number or URL) with gh, and record it in the run',
  },
  agents: {
    alias: 'n',
    type: 'string',
    describe: 'how many agents (default 3), or a line-up such as claude:2,codex:1',
  },
  agent: { alias: 'a', type: 'string', describe: 'the default agent (default claude)' },
  prompt: { alias: 'p', type: 'string', describe: 'the prompt every agent gets' },
  'prompt-file': { alias: 'f', type: 'string', describe: 'read the prompt from a file (- for stdin)' },
  base: { type: 'string', describe: 'start from this ref instead of the current HEAD' },
  yolo: { type: 'boolean', describe: "add each agent's skip-permission flags" },
  sandbox: {
    type: 'boolean',
    describe: 'start each agent in a sandbox that can write only its own worktree and branch (bubblewrap)',
  },
  model: { type: 'string', describe: "pass a model to each agent's model flag" },
  mux: {
    type: 'string',
    describe: 'tmux, zellij or none (default: the one you are in, else config, else tmux)',
  },
  layout: { type: 'string', describe: 'tiled (default), columns, rows or tabs' },
  tab: { type: 'boolean', describe: 'inside Zellij: open the run as a new tab of the current session' },
  attach: { type: 'boolean', default: true, describe: 'attach to the session (--no-attach prints how)' },
  'strict-setup': {
    type: 'boolean',
    default: false,
    describe: "abort the run when any candidate's setup fails (default: start the others)",
  },
  trust: {
    type: 'boolean',
    default: false,
    describe: "run the repository config's commands for this run without recording approval",
  },
} as const satisfies Record<string, OptionDeclaration>;

type RunOptions = typeof RUN_OPTIONS;
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type ValueOf<O> = O extends { type: 'boolean' } ? boolean : string;
type WithDefault = {
  [K in keyof RunOptions]: RunOptions[K] extends { default: boolean } ? K : never;
}[keyof RunOptions];

/** The declared options as createRun reads them: camelCase names; a value when it has a default. */
type DeclaredArgs = { [K in WithDefault as CamelCase<K>]: ValueOf<RunOptions[K]> } & {
  [K in Exclude<keyof RunOptions, WithDefault> as CamelCase<K>]?: ValueOf<RunOptions[K]>;
};

/**
 * What createRun is asked: the declared options, the task, and `issue` parsed (the demo passes a count of
 * agents as a number). `--trust` and `--strict-setup` may be left out by callers other than the parser.
 */
export type CreateRunArgs = Omit<DeclaredArgs, 'issue' | 'agents' | 'trust' | 'strictSetup'> & {
  task: string;
  agents?: string | number;
  /** Issue 16: the prompt is this GitHub issue (read with gh), recorded in the run. */
  issue?: IssueReference;
  trust?: boolean;
  strictSetup?: boolean;
  dryRun: boolean;
};

/** The declared options' values out of a parsed argv (yargs' kebab-case keys), under createRun's names. */
export function declaredRunArgs(argv: Readonly<Record<string, unknown>>): DeclaredArgs {
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return Object.fromEntries(
    Object.keys(RUN_OPTIONS).map((name) => [camel(name), argv[name]]),
  ) as DeclaredArgs;
}
