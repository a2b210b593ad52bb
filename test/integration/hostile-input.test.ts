import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@bgotink/kdl/v1-compat';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeFakeZellij } from '../helpers/fake-zellij.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn, type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/** Any Unicode text an argument can carry: well-formed, and without NUL (which no argv can hold). */
const promptArbitrary = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 200 })
  .filter((s) => !s.includes('\0'));

/** Prompts that break shells, tmux, KDL and JSON alike, tried every run on top of the random ones. */
const HOSTILE = [
  `'; rm -rf / #`,
  '$(touch PWNED) `touch PWNED` ${HOME} $$ $1',
  'line one\nline two\r\nthree\ttab',
  '"double" \\back\\slash\\ #{session_name} ##{x}',
  '-starts-with-a-dash --like=an option',
  '\u2028\u2029\ufeff\u200e\u202e emoji 🧑‍💻 👍🏽 combining é (e\u0301)',
  ' ',
];

describe('hostile input', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let counter = 0;

  beforeAll(() => {
    // The repository itself lives in a folder whose name holds a quote, $, #, a space and non-ASCII.
    repo = makeRepo(`it's $x #y ünï`);
    tmux = privateTmux();
    agent = makeStandIn(repo.parent);
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'standin', agents: { standin: agent.definition } }),
    );
    repo.commit('config');
  });
  afterAll(() => {
    tmux.kill();
    repo.cleanup();
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...tmux.env, ...env } });

  async function promptThroughTmux(prompt: string): Promise<void> {
    const task = `p${++counter}`;
    const file = path.join(repo.parent, `${task}.prompt`);
    writeFileSync(file, prompt);
    const result = await cli([task, '-n', '1', '-f', file, '--no-attach']);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const record = await waitFor(() => {
      const f = path.join(agent.recordDir, 'agent-1.json');
      if (!existsSync(f)) return undefined;
      const rec = JSON.parse(readFileSync(f, 'utf8'));
      return rec.env.GIT_PARALLEL_TASK === task ? rec : undefined;
    }, `the agent of ${task}`);
    expect(record.argv).toEqual(['--', prompt]);
    expect(record.cwd).toBe(path.join(repo.parent, `it's $x #y ünï-worktrees`, `${task}-1`));
    expect((await cli(['rm', task, '--force'])).code).toBe(0);
  }

  it('any prompt reaches the agent byte for byte through tmux (fast-check), in a folder named with quotes, $, # and ünï', async () => {
    for (const prompt of HOSTILE) await promptThroughTmux(prompt);
    await fc.assert(fc.asyncProperty(promptArbitrary, promptThroughTmux), { numRuns: 8 });
    expect(existsSync(path.join(repo.parent, `it's $x #y ünï-worktrees`, 'p1-1', 'PWNED'))).toBe(false);
  }, 180_000);

  it('any prompt reaches the agent byte for byte through the Zellij layout (fast-check)', async () => {
    const zellij = makeFakeZellij(path.join(repo.parent, 'zj'), '0.44.0');
    const check = async (prompt: string) => {
      const task = `z${++counter}`;
      const file = path.join(repo.parent, `${task}.prompt`);
      writeFileSync(file, prompt);
      const result = await cli([task, '-n', '1', '--mux', 'zellij', '-f', file, '--no-attach'], zellij.env);
      expect(result.code, result.stderr).toBe(0);
      const kdl = readFileSync(path.join(repo.root, '.git/parallel', task, 'layout.kdl'), 'utf8');
      const pane = findAgentPane(kdl);
      const ran = spawnSync(pane.command, pane.args, { cwd: pane.cwd, encoding: 'utf8' });
      expect(ran.status, ran.stderr).toBe(0);
      const record = JSON.parse(readFileSync(path.join(agent.recordDir, 'agent-1.json'), 'utf8'));
      expect(record.env.GIT_PARALLEL_TASK).toBe(task);
      expect(record.argv).toEqual(['--', prompt]);
      expect((await cli(['rm', task, '--force'], zellij.env)).code).toBe(0);
    };
    mkdirSync(path.join(repo.parent, 'zj'), { recursive: true });
    for (const prompt of HOSTILE) await check(prompt);
    await fc.assert(fc.asyncProperty(promptArbitrary, check), { numRuns: 8 });
  }, 180_000);

  it('a prompt with a NUL byte is refused with a clear line, creating nothing', async () => {
    const file = path.join(repo.parent, 'nul.prompt');
    writeFileSync(file, 'a\0b');
    const result = await cli(['nul', '-n', '1', '-f', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'git parallel: the prompt contains a NUL byte, which no agent can receive as an argument; remove it',
    );
    expect(repo.git('branch', '--list', 'nul-*')).toBe('');
  });

  it('a prompt that starts with a dash can be given as --prompt=…', async () => {
    const result = await cli(['dash', '-n', '1', '--prompt=--help me', '--no-attach']);
    expect(result.code).toBe(0);
    const record = await waitFor(() => {
      const rec = JSON.parse(readFileSync(path.join(agent.recordDir, 'agent-1.json'), 'utf8'));
      return rec.env.GIT_PARALLEL_TASK === 'dash' ? rec : undefined;
    }, 'the dash agent');
    expect(record.argv).toEqual(['--', '--help me']);
    expect((await cli(['rm', 'dash', '--force'])).code).toBe(0);
  });
});

describe('repositories of every shape', () => {
  const shapes: [string, (repo: TestRepo) => string][] = [
    [
      'with a submodule',
      (repo) => {
        const sub = makeRepo('sub');
        repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', sub.root, 'vendor/sub');
        repo.commit('add submodule');
        return repo.root;
      },
    ],
    [
      'with Git LFS pointer files (and no git-lfs installed)',
      (repo) => {
        repo.write('.gitattributes', '*.bin filter=lfs diff=lfs merge=lfs -text\n');
        repo.write(
          'big.bin',
          'version https://git-lfs.github.com/spec/v1\noid sha256:0000000000000000000000000000000000000000000000000000000000000000\nsize 12345\n',
        );
        repo.commit('lfs pointers');
        return repo.root;
      },
    ],
    [
      'run from a linked worktree (its .git is a file)',
      (repo) => {
        const linked = path.join(repo.parent, 'linked');
        repo.git('worktree', 'add', '--quiet', '-b', 'side', linked);
        return linked;
      },
    ],
    [
      'run from a subfolder',
      (repo) => {
        repo.write('deep/down/file.txt', 'x\n');
        repo.commit('deep');
        return path.join(repo.root, 'deep', 'down');
      },
    ],
  ];

  it.each(shapes)('%s', async (_name, prepare) => {
    const { repo, tmux, agent } = standInWorkspace();
    try {
      const cwd = prepare(repo);
      const result = await runCli(['t', '-n', '2', '-p', 'go', '--no-attach'], {
        cwd,
        env: tmux.env,
      });
      expect(result.stderr).not.toMatch(/error/i);
      expect(result.code).toBe(0);
      const records = await agent.waitForRecords(2);
      // Worktrees go next to the main worktree, whichever worktree or folder the run was started from.
      expect(records.map((r) => r.cwd)).toEqual(
        [1, 2].map((n) => path.join(repo.parent, 'app-worktrees', `t-${n}`)),
      );
      expect(records[0]!.env.GIT_PARALLEL_BASE).toBe(
        execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim(),
      );
      expect((await runCli(['rm', 't', '--force'], { cwd, env: tmux.env })).code).toBe(0);
      expect(repo.git('branch', '--list', 't-*')).toBe('');
    } finally {
      closeWorkspace({ repo, tmux });
    }
  });
});

function findAgentPane(kdl: string): { command: string; args: string[]; cwd: string } {
  for (const node of allNodes(parse(kdl).nodes)) {
    if (node.getName() === 'pane' && node.getProperty('command') !== undefined) {
      const args = node.children?.nodes.find((c) => c.getName() === 'args');
      return {
        command: String(node.getProperty('command')).replaceAll('$$', '$'),
        cwd: String(node.getProperty('cwd')).replaceAll('$$', '$'),
        args: args ? args.getArguments().map(String) : [],
      };
    }
  }
  throw new Error('no agent pane in the layout');
}

function allNodes(nodes: ReturnType<typeof parse>['nodes']): ReturnType<typeof parse>['nodes'] {
  return nodes.flatMap((n) => [n, ...allNodes(n.children?.nodes ?? [])]);
}
