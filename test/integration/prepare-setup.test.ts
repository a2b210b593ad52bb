import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { makeStandIn, type StandIn, waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';

/** Setup commands and hooks: run in every candidate, in parallel, with its environment, before its agent. */
describe('setup and hooks', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let agent: StandIn;
  let records: string;

  beforeEach(() => {
    repo = makeRepo('app');
    tmux = privateTmux();
    agent = makeStandIn(repo.parent);
    records = path.join(repo.parent, 'setup-records');
    mkdirSync(records);
  });
  afterEach(() => {
    tmux.kill();
    repo.cleanup();
  });

  const config = (settings: Record<string, unknown>) => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'standin',
        agents: { standin: agent.definition },
        ports: { PORT: 4000 },
        ...settings,
      }),
    );
    repo.commit('config');
  };
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const state = (task: string) => path.join(repo.root, '.git/parallel', task);
  const read = (file: string) => readFileSync(path.join(records, file), 'utf8');
  const FAIL_ON_TWO = 'if [ "$GIT_PARALLEL_INDEX" = 2 ]; then echo "boom on two" >&2; exit 3; fi; echo fine';

  it('runs setup in every candidate in parallel, with its environment, logging each', async () => {
    // Each setup records when it started and ended; overlapping intervals prove they ran at the same time.
    const stamp = (what: string) =>
      `node -e "require('fs').writeFileSync('${records}/'+process.env.GIT_PARALLEL_INDEX+'.${what}', String(Date.now()))"`;
    config({
      setup: [
        `${stamp('start')} && sleep 1 && ${stamp('end')}`,
        `echo "port=$PORT index=$GIT_PARALLEL_INDEX dir=$(pwd)"`,
      ],
    });
    const result = await cli(['par', '-n', '2', '--mux', 'none']);
    expect(result.stderr).not.toMatch(/warning|error/i);
    expect(result.code).toBe(0);
    const [start1, end1, start2, end2] = ['1.start', '1.end', '2.start', '2.end'].map((f) => Number(read(f)));
    expect(start2).toBeLessThan(end1!);
    expect(start1).toBeLessThan(end2!);

    const manifest = JSON.parse(readFileSync(path.join(state('par'), 'run.json'), 'utf8'));
    for (const candidate of manifest.candidates) {
      const log = readFileSync(path.join(state('par'), 'logs', `${candidate.n}-setup.log`), 'utf8');
      expect(log).toContain(`port=${candidate.ports.PORT} index=${candidate.n} dir=${candidate.worktree}`);
      expect(log).toContain('$ echo "port=$PORT');
    }
    // Not a terminal: one progress line per change.
    expect(result.stderr).toMatch(/^ {2}par-1 {2}setup 1\/2: /m);
    expect(result.stderr).toMatch(/^ {2}par-2 {2}ready in \d+\.\ds$/m);
  });

  it('does not start the agent of a candidate whose setup failed; the others start, and its pane says why', async () => {
    config({ setup: [FAIL_ON_TWO] });
    const result = await cli(['fail', '-n', '3', '-p', 'go', '--no-attach']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: fail-2: setup ${JSON.stringify(FAIL_ON_TWO)} exited with code 3; its agent is not started`,
    );
    expect(result.stderr).toContain('    boom on two');
    expect(result.stderr).toContain('Started 2 agents for fail (not fail-2: setup failed).');

    await waitFor(
      () =>
        existsSync(path.join(agent.recordDir, 'agent-1.json')) &&
        existsSync(path.join(agent.recordDir, 'agent-3.json'))
          ? true
          : undefined,
      'agents 1 and 3',
    );
    const pane = await waitFor(() => {
      const text = tmux.tmux('capture-pane', '-p', '-J', '-t', '=app-fail:.1');
      return text.includes('the agent was not started') ? text : undefined;
    }, 'the failure in pane 2');
    expect(pane).toContain('boom on two');
    expect(pane).toContain(path.join(state('fail'), 'logs', '2-setup.log'));
    expect(existsSync(path.join(agent.recordDir, 'agent-2.json'))).toBe(false);

    const record = JSON.parse(readFileSync(path.join(state('fail'), 'agents', '2.setup.json'), 'utf8'));
    expect(record).toMatchObject({
      step: 'setup',
      command: FAIL_ON_TWO,
      exitCode: 3,
      timedOut: false,
      tail: ['boom on two'],
    });
    expect(existsSync(path.join(state('fail'), 'agents', '1.setup.json'))).toBe(false);

    // Started by hand (--mux none style), the launcher says the same and exits non-zero.
    const launched = await cli(['launch', 'fail', '2']);
    expect(launched.code).toBe(1);
    expect(launched.stdout).toContain(
      `[git-parallel] setup ${JSON.stringify(FAIL_ON_TWO)} exited with code 3; the agent was not started.`,
    );
  });

  it('--strict-setup aborts the run and removes everything it created', async () => {
    config({ setup: [FAIL_ON_TWO] });
    const result = await cli(['strict', '-n', '3', '--mux', 'none', '--strict-setup']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `git parallel: strict-2: setup ${JSON.stringify(FAIL_ON_TWO)} exited with code 3 (--strict-setup`,
    );
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(repo.git('branch', '--list', 'strict-*')).toBe('');
    expect(existsSync(state('strict'))).toBe(false);
    expect(existsSync(path.join(agent.recordDir, 'agent-1.json'))).toBe(false);
  });

  it('stops a setup command that runs longer than setupTimeout, and everything it started', async () => {
    config({
      setup: [`sleep 30 & echo $! > ${records}/child-$GIT_PARALLEL_INDEX.pid; wait`],
      setupTimeout: 1,
    });
    const result = await cli(['slow', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('was stopped after 1s (setupTimeout); its agent is not started');
    const record = JSON.parse(readFileSync(path.join(state('slow'), 'agents', '1.setup.json'), 'utf8'));
    expect(record.timedOut).toBe(true);
    const child = Number(read('child-1.pid'));
    await waitFor(() => {
      try {
        process.kill(child, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 'the background sleep to be stopped');
  });

  it('Ctrl-C during setup stops the setup commands and rolls the run back', async () => {
    config({ setup: [`sleep 30 & echo $! > ${records}/int-$GIT_PARALLEL_INDEX.pid; wait`] });
    const pidFile = (n: number) => path.join(records, `int-${n}.pid`);
    const child = spawn(process.execPath, [BIN, 'ctrlc', '-n', '2', '--mux', 'none'], {
      cwd: repo.root,
      env: { ...process.env, ...tmux.env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Once both setups are running (each wrote its sleep's pid), interrupt as Ctrl-C would.
    await waitFor(
      () => (existsSync(pidFile(1)) && existsSync(pidFile(2)) ? true : undefined),
      'both setups to run',
    );
    child.kill('SIGINT');
    const result = { code: await exited };
    expect(result.code).toBe(130);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(repo.git('branch', '--list', 'ctrlc-*')).toBe('');
    expect(existsSync(state('ctrlc'))).toBe(false);
    for (const n of [1, 2]) {
      const sleeper = Number(read(`int-${n}.pid`));
      await waitFor(() => {
        try {
          process.kill(sleeper, 0);
          return undefined;
        } catch {
          return true;
        }
      }, `setup ${n} to be stopped`);
    }
  });

  it("runs postCreate, preRemove and postRemove hooks with the candidate's environment, in order", async () => {
    const dump = (name: string) =>
      `{ echo "cwd=$(pwd)"; echo "port=$PORT"; echo "task=$GIT_PARALLEL_TASK index=$GIT_PARALLEL_INDEX"; test -d "$GIT_PARALLEL_WORKTREE" && echo worktree-exists || echo worktree-gone; } > ${records}/${name}-$GIT_PARALLEL_INDEX.txt`;
    config({
      hooks: {
        postCreate: dump('postCreate'),
        preRemove: [dump('preRemove')],
        postRemove: dump('postRemove'),
      },
      setup: [`test -f ${records}/postCreate-$GIT_PARALLEL_INDEX.txt`],
    });
    expect((await cli(['hooks', '-n', '2', '--mux', 'none'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(state('hooks'), 'run.json'), 'utf8'));
    // The hooks recorded at creation are the ones removal runs, even if the config changes afterwards.
    config({ hooks: { preRemove: 'echo changed > /dev/null' } });

    expect((await cli(['rm', 'hooks'])).code).toBe(0);
    for (const c of manifest.candidates) {
      const port = `port=${c.ports.PORT}`;
      expect(read(`postCreate-${c.n}.txt`)).toBe(
        `cwd=${c.worktree}\n${port}\ntask=hooks index=${c.n}\nworktree-exists\n`,
      );
      expect(read(`preRemove-${c.n}.txt`)).toBe(
        `cwd=${c.worktree}\n${port}\ntask=hooks index=${c.n}\nworktree-exists\n`,
      );
      expect(read(`postRemove-${c.n}.txt`)).toBe(
        `cwd=${repo.root}\n${port}\ntask=hooks index=${c.n}\nworktree-gone\n`,
      );
    }
  });

  // Issue 15 item 5: a damaged resources.json once read as "no resources", so rm removed the worktrees
  // without their removal hooks (and without dropping their databases), and said it was done.
  it('a damaged resources.json stops rm and pick, naming the file, before anything is removed', async () => {
    config({ hooks: { preRemove: `touch ${records}/preRemove-$GIT_PARALLEL_INDEX` } });
    expect((await cli(['dmg', '-n', '2', '--mux', 'none'])).code).toBe(0);
    const resources = path.join(state('dmg'), 'resources.json');
    writeFileSync(resources, '{"hooks": {"preRemove": [');
    const manifest = JSON.parse(readFileSync(path.join(state('dmg'), 'run.json'), 'utf8'));
    const worktree = manifest.candidates[0].worktree as string;
    writeFileSync(path.join(worktree, 'work.txt'), 'work\n');

    for (const args of [
      ['rm', 'dmg', '--force'],
      ['pick', 'dmg', '1'],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^git parallel: ${resources.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: it is not valid JSON \\(.*\\); it lists the removal hooks and PostgreSQL databases of the run dmg, and nothing was changed; .*\\n$`,
        ),
      );
    }
    // Nothing was removed or picked, and no hook ran.
    expect(existsSync(path.join(worktree, 'work.txt'))).toBe(true);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(3);
    expect(repo.git('log', '--format=%s', '-1')).toBe('config');
    expect(existsSync(path.join(records, 'preRemove-1'))).toBe(false);
  });

  it('a failing postCreate hook is a setup failure of that candidate', async () => {
    config({ hooks: { postCreate: FAIL_ON_TWO } });
    const result = await cli(['pc', '-n', '2', '--mux', 'none']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`pc-2: postCreate ${JSON.stringify(FAIL_ON_TWO)} exited with code 3`);
  });
});
