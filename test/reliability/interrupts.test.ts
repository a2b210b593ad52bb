import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closeWorkspace, standInWorkspace, worldOf } from '../helpers/workspace.js';
import { folderHash, seededRandom, startInGroup } from './probe.js';
import { reliabilityTally } from './tally.js';

/**
 * Issue 10: interrupts at random moments of `git parallel <task>`. Each signal is sent to the whole
 * process group, as a terminal does, at 20 moments drawn from a seeded generator over the time a
 * creation takes here. Afterwards the repository must be exactly as before (worktrees, branches, state,
 * tmux sessions, sibling folders) — after SIGKILL, once a plain `rm` has run — and another run's work
 * and the main worktree's files must be byte for byte as they were.
 */
const PER_SIGNAL = 20;
const STORMS = 5;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;

const tally = reliabilityTally(
  'interrupts',
  `SIGINT, SIGTERM and SIGKILL to the process group at ${PER_SIGNAL} seeded random moments of creation each (after SIGKILL, a plain \`rm\`); ${STORMS} storms of Ctrl-C during the rollback`,
  PER_SIGNAL * SIGNALS.length + STORMS,
);

/** A repository of its own per test (they run side by side), with work that must survive every scenario. */
async function probeWorkspace() {
  const { repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } });
  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  // Enough files that checking out takes a while: the signals land inside the checkouts too.
  for (let i = 0; i < 150; i++) repo.write(`src/file-${i}.txt`, `line ${i}\n`.repeat(20));
  repo.commit('files');
  // Another run's candidate with a commit, a change and a new file, and the main worktree's own draft.
  expect((await cli(['keep', '-n', '1', '-p', 'x', '--no-attach'])).code).toBe(0);
  const keep = path.join(repo.parent, 'app-worktrees', 'keep-1');
  writeFileSync(path.join(keep, 'committed.txt'), 'committed work\n');
  repo.git('-C', keep, 'add', 'committed.txt');
  repo.git('-C', keep, 'commit', '-q', '-m', 'work');
  writeFileSync(path.join(keep, 'src', 'file-1.txt'), 'changed, not committed\n');
  writeFileSync(path.join(keep, 'notes.txt'), 'untracked\n');
  writeFileSync(path.join(repo.root, 'draft.txt'), 'the user’s own draft\n');
  const snapshot = () =>
    [folderHash(keep), folderHash(repo.root), repo.git('rev-parse', 'keep-1', 'main')].join(' ');
  const saved = snapshot();
  const started = Date.now();
  expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
  const creationMs = Date.now() - started;
  expect((await cli(['rm', 't', '--force'])).code).toBe(0);
  const stateOf = path.join(repo.root, '.git', 'parallel');
  return {
    repo,
    tmux,
    cli,
    creationMs,
    lost: () => snapshot() !== saved,
    runFile: (task: string) => path.join(stateOf, task, 'run.json'),
    world: () => ({
      ...worldOf({ repo, tmux }, ['records']),
      candidates: readdirSync(path.join(repo.parent, 'app-worktrees')),
    }),
    close: () => closeWorkspace({ repo, tmux }),
  };
}

const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

describe.concurrent('interrupts at random moments leave the repository as it was, and lose nothing', () => {
  afterAll(() => tally.finish());

  for (const [index, signal] of SIGNALS.entries()) {
    it(`${signal} at ${PER_SIGNAL} random moments`, { timeout: 300_000 }, async () => {
      const w = await probeWorkspace();
      try {
        const random = seededRandom(1000 + index);
        for (let i = 0; i < PER_SIGNAL; i++) {
          const delay = Math.round(random() * w.creationMs * 1.1);
          await tally.scenario(
            `${signal} after ${delay} ms`,
            async () => {
              const before = w.world();
              const run = startInGroup(['t', '-n', '2', '-p', 'x', '--no-attach'], {
                cwd: w.repo.root,
                env: w.tmux.env,
              });
              await sleep(delay);
              run.signalGroup(signal);
              const result = await run.done;
              const context = `${signal} after ${delay} ms: exit ${result.code}\n${result.stderr}`;
              if (signal === 'SIGKILL') {
                const removed = await w.cli(['rm', 't']);
                // Killed before it claimed the task: there is nothing to remove.
                if (removed.code !== 0)
                  expect(lastLine(removed.stderr), context).toBe(
                    'git parallel: no run named "t"; see git parallel list',
                  );
              } else if (existsSync(w.runFile('t'))) {
                // The signal came after the run was complete: it is a whole run, removed as usual.
                expect(JSON.parse(readFileSync(w.runFile('t'), 'utf8')).phase, context).toBe('ready');
                expect((await w.cli(['rm', 't', '--force'])).code, context).toBe(0);
              } else if (result.signal === null) {
                expect(result.code, context).toBe(signal === 'SIGINT' ? 130 : 143);
                expect(lastLine(result.stderr), context).toBe(
                  `git parallel: interrupted by ${signal}; nothing was left behind`,
                );
              }
              expect(w.world(), context).toEqual(before);
            },
            w.lost,
          );
        }
      } finally {
        w.close();
      }
    });
  }

  it(`a storm of Ctrl-C during the rollback (${STORMS} times): the rollback finishes and says so truthfully`, {
    timeout: 200_000,
  }, async () => {
    const w = await probeWorkspace();
    const random = seededRandom(2000);
    try {
      for (let i = 0; i < STORMS; i++) {
        await tally.scenario(
          `Ctrl-C storm ${i + 1}`,
          async () => {
            const before = w.world();
            const run = startInGroup(['t', '-n', '4', '-p', 'x', '--no-attach'], {
              cwd: w.repo.root,
              env: w.tmux.env,
            });
            while (!/^ {2}t-\d /m.test(run.stderr()) && run.child.exitCode === null) await sleep(5);
            run.signalGroup('SIGINT');
            // A user hammering Ctrl-C: one every 20 to 60 ms for as long as the rollback runs.
            let storming = true;
            const storm = (async () => {
              while (storming) {
                if (run.stderr().includes('removing what was created')) run.signalGroup('SIGINT');
                await sleep(20 + Math.round(random() * 40));
              }
            })();
            const result = await run.done;
            storming = false;
            await storm;
            const context = `exit ${result.code}\n${result.stderr}`;
            // Node ends by the signal when one lands in its last instant, after the report was written.
            if (result.signal !== 'SIGINT') expect(result.code, context).toBe(130);
            expect(lastLine(result.stderr), context).toBe(
              'git parallel: interrupted by SIGINT; nothing was left behind',
            );
            expect(w.world(), context).toEqual(before);
          },
          w.lost,
        );
      }
    } finally {
      w.close();
    }
  });
});
