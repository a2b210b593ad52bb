import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { shellQuote } from '../core/command-text.js';
import { UsageError } from '../errors.js';
import { driverFor } from '../io/drivers.js';
import { pathExists } from '../io/files.js';
import {
  commitEverything,
  commitTrackedChanges,
  hasCommitterIdentity,
  initRepository,
  setRepositoryIdentity,
} from '../io/git.js';
import { invocationPrefix } from '../io/invocation.js';
import { packageRoot } from '../io/launcher-path.js';
import { listManifests } from '../io/state.js';
import type { Reporter } from '../output/reporter.js';
import { createRun } from './create-run.js';

const DEMO_PROMPT = 'Make greet() friendlier, and keep the tests passing.';
const DEMO_TASK = 'greet';
/** Written into the demo's folder: only a folder holding it is ever deleted by the demo. */
const MARKER = '.git-parallel-demo';

export interface DemoArgs {
  attach: boolean;
  mux?: string;
  json: boolean;
  /** `--clean`: remove the demo (repository, worktrees, session) and start nothing. */
  clean?: boolean;
}

export interface DemoIo {
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  isTerminal: boolean;
  /** process.argv0 and process.argv[1]: how the user started us, so the hints work as typed. */
  argv0: string;
  script: string | undefined;
  cwd: string;
}

/**
 * The demo's one folder, per user: each demo replaces the one before (so a second demo never meets the
 * first one's session or branches) and `demo --clean` removes it. It lives under the temp folder.
 */
export function demoHome(env: NodeJS.ProcessEnv): string {
  const user = process.getuid?.() ?? userInfo().username;
  return path.join(env.TMPDIR || tmpdir(), `git-parallel-demo-${user}`);
}

/**
 * `git parallel demo`: the whole flow without an API key. A throwaway repository with a tiny project,
 * and a run of three candidates of the built-in demo agent, which is not an AI: it makes one of three
 * canned, real changes (chosen by its candidate number) and commits it. The closing hints walk the rest
 * of the flow (status, compare with the project's test, the HTML report, pick) and end with the clean-up.
 */
export async function demo(args: DemoArgs, io: DemoIo): Promise<void> {
  const home = demoHome(io.env);
  const removed = await removeDemo(home, io.env);
  if (args.clean) {
    io.reporter.document({ removed: removed ? home : null });
    if (!io.reporter.json)
      io.reporter.info(
        removed ? `Removed the demo in ${home}.` : `No demo to remove (${home} does not exist).`,
      );
    return;
  }
  if (removed) io.reporter.info(`Removed the previous demo in ${home}.`);
  const repo = path.join(home, 'demo-app');
  await mkdir(home, { recursive: true });
  await writeFile(path.join(home, MARKER), 'git parallel demo --clean removes this folder\n');
  await createDemoRepository(repo);
  io.reporter.info(`Demo repository: ${repo}`);
  const cli = await invocationPrefix({ argv0: io.argv0, script: io.script, env: io.env, cwd: io.cwd });
  // The demo wrote the config that defines its demo agent, so that agent is trusted by construction.
  await createRun(
    {
      task: DEMO_TASK,
      agents: 3,
      prompt: DEMO_PROMPT,
      mux: args.mux,
      attach: args.attach,
      dryRun: false,
      trust: true,
    },
    { cwd: repo, env: io.env, reporter: io.reporter, stdin: process.stdin, isTerminal: io.isTerminal },
  );
  if (io.reporter.json) return;
  io.reporter.print('');
  io.reporter.print('This was a demo: the agents are canned scripts, not AIs. Walk the rest of the flow:');
  for (const line of demoHints(cli, repo)) io.reporter.print(line);
}

/** The closing hints: every line a command that works as printed, in the order of the flow. */
export function demoHints(cli: string, repo: string): string[] {
  const steps: [string, string][] = [
    [`cd ${shellQuote(repo)}`, ''],
    [`${cli} status ${DEMO_TASK} --watch`, 'what each agent does; ends when all have finished'],
    [
      `${cli} compare ${DEMO_TASK} --check "npm test"`,
      "the changes side by side, the project's test in each",
    ],
    [`${cli} compare ${DEMO_TASK} --html ../report.html`, 'the same as a web page with every diff; open it'],
    [`${cli} diff ${DEMO_TASK} 1`, "candidate 1's whole change"],
    [`${cli} pick ${DEMO_TASK} 1`, 'merge candidate 1 into main; the others are archived and removed'],
    [`${cli} demo --clean`, 'remove this demo (the next demo replaces it too)'],
  ];
  const width = Math.max(...steps.map(([command]) => command.length));
  return steps.map(([command, why]) => (why ? `  ${command.padEnd(width)}  # ${why}` : `  ${command}`));
}

/**
 * Removes a demo made by `demo`: the sessions and worktrees of its runs, then its folder. A folder without
 * the demo's marker is not ours and is refused, never deleted. Returns whether there was one.
 */
async function removeDemo(home: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (!(await pathExists(home))) return false;
  if (!(await pathExists(path.join(home, MARKER)))) {
    throw new UsageError(`${home} exists but was not made by git parallel demo; move it away first`);
  }
  const repo = path.join(home, 'demo-app');
  const commonDir = path.join(repo, '.git');
  const reads = (await pathExists(commonDir)) ? await listManifests(commonDir) : [];
  const { removeRunResources } = await import('./apply-removal.js');
  for (const read of reads) {
    if (!read.manifest) continue;
    const driver = await driverFor(read.manifest.mux.kind, env, repo);
    await removeRunResources(read.manifest, read.dir, driver, { keepBranches: false, env });
  }
  await rm(home, { recursive: true, force: true });
  return true;
}

async function createDemoRepository(repo: string): Promise<void> {
  await mkdir(path.join(repo, 'test'), { recursive: true });
  await writeFile(
    path.join(repo, 'greet.js'),
    "export function greet(name) {\n  return 'Hello ' + name;\n}\n",
  );
  await writeFile(
    path.join(repo, 'test', 'greet.test.js'),
    "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { greet } from '../greet.js';\n\ntest('greets by name', () => {\n  assert.match(greet('Ada'), /Ada/);\n});\n",
  );
  await writeFile(
    path.join(repo, 'package.json'),
    `${JSON.stringify({ name: 'demo-app', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  );
  const bin = path.join(packageRoot(), 'bin', 'git-parallel.js');
  const config = {
    agent: 'demo',
    ports: { PORT: 4000 },
    agents: { demo: { command: process.execPath, args: [bin, 'demo-agent'], prompt: 'positional' } },
  };
  await writeFile(path.join(repo, '.git-parallelrc.json'), `${JSON.stringify(config, null, 2)}\n`);
  await initRepository(repo, 'main');
  const identity = { name: 'git-parallel demo', email: 'demo@git-parallel.invalid' };
  await commitEverything(repo, 'A tiny project to try git-parallel on', identity);
  // `pick` makes a merge commit in this repository: without a name and email of the user's own, git would
  // refuse it, so the throwaway repository gets the demo's (only where the user has none).
  if (!(await hasCommitterIdentity(repo))) await setRepositoryIdentity(repo, identity);
}

/** The three canned solutions, one per candidate, so the candidates really differ. */
const SOLUTIONS: { summary: string; code: string }[] = [
  {
    summary: 'add an exclamation mark',
    code: 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n',
  },
  {
    summary: 'greet by time of day',
    code: "export function greet(name, now = new Date()) {\n  const hour = now.getHours();\n  const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening';\n  return `Good ${part}, ${name}!`;\n}\n",
  },
  {
    summary: 'trim the name and fall back to "friend"',
    code: "export function greet(name) {\n  const who = String(name ?? '').trim() || 'friend';\n  return `Hello there, ${who}! Nice to see you.`;\n}\n",
  },
];

/** The demo agent itself (hidden command `demo-agent`): runs in a candidate's worktree. */
export async function demoAgent(
  prompt: string | undefined,
  io: { cwd: string; env: NodeJS.ProcessEnv; out: NodeJS.WriteStream },
): Promise<void> {
  const index = Number(io.env.GIT_PARALLEL_INDEX ?? '1');
  const solution = SOLUTIONS[(index - 1) % SOLUTIONS.length]!;
  const say = (line: string) => io.out.write(`${line}\n`);
  say('DEMO AGENT: not an AI. It makes a canned change so you can see the git-parallel flow.');
  say(`Prompt: ${prompt ?? '(none)'}`);
  say(`Candidate ${index} in ${io.cwd}, PORT=${io.env.PORT ?? '-'}`);
  for (const step of ['reading the code', `deciding to ${solution.summary}`, 'editing greet.js']) {
    say(`  … ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  await writeFile(path.join(io.cwd, 'greet.js'), solution.code);
  const identity = { name: 'git-parallel demo agent', email: 'demo@git-parallel.invalid' };
  await commitTrackedChanges(io.cwd, `greet: ${solution.summary}`, identity);
  say(`Committed: greet: ${solution.summary}`);
}
