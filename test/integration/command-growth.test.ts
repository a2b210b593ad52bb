import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';

/**
 * Issue 18: what `status` and `compare` cost grows with the number of candidates by the programs they
 * start for each one. Counted from `--verbose`, which lists every command git-parallel runs, for a run of
 * 2 and one of 4 candidates (in real tmux, each candidate with a commit, a changed file and a new file):
 * the difference, per extra candidate, must stay at what each one needs. status: `diff --numstat` and
 * `status` in its worktree, and nothing more from tmux (one `list-panes` and one `capture-pane` sequence
 * for all panes). compare (without a check): one `rev-parse` and one `status` for its refs and state, `add`
 * and `write-tree` for its snapshot, one `diff-tree` for its files and patch and one ignoring whitespace,
 * `merge-base` and `rev-list --count` for its commits, and `ls-files` for its ignored files. Creating a run
 * makes its tmux session, every pane of it, in one tmux process.
 */
const STATUS_PER_CANDIDATE = { git: 2, tmux: 0 };
const COMPARE_PER_CANDIDATE = { git: 9, tmux: 0 };

describe('commands per candidate', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  beforeEach(() => {
    repo = makeRepo('app');
    for (let i = 1; i <= 6; i++) repo.write(`src/file${i}.ts`, `export const n${i} = ${i};\n`);
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agents: { sleeper: { command: 'sleep', args: ['600'], prompt: 'none' } } }),
    );
    repo.commit('files');
    tmux = privateTmux();
  });
  afterEach(() => {
    tmux.kill();
    repo.cleanup();
  });

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: { ...tmux.env, NO_COLOR: '1' } });

  /** A run of n sleeping agents whose candidates each hold a commit, an uncommitted change and a new file. */
  const startRun = async (task: string, n: number) => {
    const started = await commandsOf([task, '--agents', `sleeper:${n}`, '--no-attach']);
    for (let i = 1; i <= n; i++) {
      const wt = path.join(repo.parent, 'app-worktrees', `${task}-${i}`);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: wt, stdio: 'ignore' });
      appendFileSync(path.join(wt, 'src', `file${i}.ts`), `export const more${i} = ${i};\n`);
      git('commit', '--quiet', '-am', `work ${i}`);
      appendFileSync(path.join(wt, 'src', `file${i + 1}.ts`), '// not committed\n');
      writeFileSync(path.join(wt, `notes-${i}.md`), 'notes\n');
    }
    return started;
  };

  /** The programs a command started, by name, from its `--verbose` lines (`+ <program> …  # in <cwd>`). */
  const commandsOf = async (args: string[]) => {
    const result = await cli([...args, '--verbose']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('+ '));
    const count = (program: string) => lines.filter((line) => line.startsWith(`+ ${program} `)).length;
    return { git: count('git'), tmux: count('tmux'), all: lines.length, result };
  };

  it('status and compare start no more programs per extra candidate than each one needs', {
    timeout: 120_000,
  }, async () => {
    const create2 = await startRun('two', 2);
    const create4 = await startRun('four', 4);
    // The session, whatever its number of panes, is made by one tmux process.
    expect(create4.tmux).toBe(create2.tmux);

    const status2 = await commandsOf(['status', 'two', '--json']);
    const status4 = await commandsOf(['status', 'four', '--json']);
    // The counts are of a status that read everything: every candidate is ahead by its commit.
    const read = JSON.parse(status4.result.stdout).runs[0].candidates;
    expect(read.map((c: { commits: number }) => c.commits)).toEqual([1, 1, 1, 1]);
    expect(read.map((c: { uncommitted: unknown }) => c.uncommitted)).toEqual(
      Array(4).fill({ changed: 1, untracked: 1 }),
    );
    expect((status4.git - status2.git) / 2).toBeLessThanOrEqual(STATUS_PER_CANDIDATE.git);
    expect((status4.tmux - status2.tmux) / 2).toBeLessThanOrEqual(STATUS_PER_CANDIDATE.tmux);
    // Nothing but git and tmux.
    expect(status4.all).toBe(status4.git + status4.tmux);

    const compare2 = await commandsOf(['compare', 'two', '--json', '--no-check']);
    const compare4 = await commandsOf(['compare', 'four', '--json', '--no-check']);
    const report = JSON.parse(compare4.result.stdout);
    expect(report.candidates.map((c: { commits: number }) => c.commits)).toEqual([1, 1, 1, 1]);
    expect((compare4.git - compare2.git) / 2).toBeLessThanOrEqual(COMPARE_PER_CANDIDATE.git);
    expect((compare4.tmux - compare2.tmux) / 2).toBeLessThanOrEqual(COMPARE_PER_CANDIDATE.tmux);
  });
});
