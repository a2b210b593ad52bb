import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from '../io/git.js';
import { packageRoot } from '../io/launcher-path.js';
import type { Reporter } from '../output/reporter.js';
import { createRun } from './create-run.js';

const DEMO_PROMPT = 'Make greet() friendlier, and keep the tests passing.';

/**
 * `git parallel demo`: the whole flow without an API key. A throwaway repository with a tiny project,
 * and a run of three candidates of the built-in demo agent, which is not an AI: it makes one of three
 * canned, real changes (chosen by its candidate number) and commits it.
 */
export async function demo(
  args: { attach: boolean; mux?: string; json: boolean },
  io: { env: NodeJS.ProcessEnv; reporter: Reporter; isTerminal: boolean },
): Promise<void> {
  const parent = await mkdtemp(path.join(tmpdir(), 'git-parallel-demo-'));
  const repo = path.join(parent, 'demo-app');
  await createDemoRepository(repo);
  io.reporter.info(`Demo repository: ${repo}`);
  // The demo wrote the config that defines its demo agent, so that agent is trusted by construction.
  await createRun(
    {
      task: 'greet',
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
  io.reporter.print('This was a demo: the agents are canned scripts, not AIs. Look around:');
  io.reporter.print(`  cd ${repo}`);
  io.reporter.print('  git parallel list');
  io.reporter.print('  git parallel ports greet');
  io.reporter.print('  git log --oneline --all --graph');
  io.reporter.print(
    '  git parallel rm greet --force     # the agents committed work, so rm asks for --force',
  );
}

async function createDemoRepository(repo: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
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
  await git(repo, ['init', '--quiet', '--initial-branch=main']);
  const identity = [
    '-c',
    'user.name=git-parallel demo',
    '-c',
    'user.email=demo@git-parallel.invalid',
    '-c',
    'commit.gpgsign=false',
  ];
  await git(repo, ['add', '-A']);
  await git(repo, [...identity, 'commit', '--quiet', '-m', 'A tiny project to try git-parallel on']);
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
  const identity = [
    '-c',
    'user.name=git-parallel demo agent',
    '-c',
    'user.email=demo@git-parallel.invalid',
    '-c',
    'commit.gpgsign=false',
  ];
  await git(io.cwd, [...identity, 'commit', '--quiet', '-am', `greet: ${solution.summary}`]);
  say(`Committed: greet: ${solution.summary}`);
}
