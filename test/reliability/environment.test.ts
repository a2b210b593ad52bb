import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';
import { reliabilityTally } from './tally.js';

const tally = reliabilityTally(
  'environment',
  '`--layout` naming a folder, a read-only `.git/parallel`, a `run.json` whose session is not a name, `doctor` with agents whose `--version` hangs or leaves a child',
  process.getuid?.() === 0 ? 4 : 3,
);

/** Issue 10 F9: what the environment throws at git-parallel gets one line and the right exit code. */
describe('a hostile environment gets one clear line', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;

  let saved: string;
  beforeEach(() => {
    ({ repo, tmux } = standInWorkspace({ agentEnv: { STANDIN_SLEEP_MS: '60000' } }));
    writeFileSync(path.join(repo.root, 'draft.txt'), 'the user’s own draft\n');
    saved = draft();
  });
  afterEach(() => closeWorkspace({ repo, tmux }));
  afterAll(() => tally.finish());
  const wrap = (name: string, check: () => Promise<void>) => tally.wrap(name, check, () => draft() !== saved);
  // The user's own file in the main worktree (the doctor case rewrites the config, which is the test's).
  const draft = () =>
    existsSync(path.join(repo.root, 'draft.txt'))
      ? readFileSync(path.join(repo.root, 'draft.txt'), 'utf8')
      : 'gone';

  const cli = (args: string[]) => runCli(args, { cwd: repo.root, env: tmux.env });
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^git parallel: /);
    expect(stderr).not.toContain('unexpected error');
  };
  const nothingCreated = () => {
    expect(repo.git('worktree', 'list', '--porcelain').split('\n\n')).toHaveLength(1);
    expect(repo.git('branch', '--list', 't-*')).toBe('');
    expect(existsSync(path.join(repo.parent, 'app-worktrees'))).toBe(false);
  };

  it(
    '--layout naming a folder: exit 2, one line, nothing created',
    wrap('--layout folder', async () => {
      mkdirSync(path.join(repo.root, 'layouts'));
      const result = await cli(['t', '-n', '2', '-p', 'x', '--no-attach', '--layout', './layouts']);
      expect(result.code, result.stderr).toBe(2);
      oneLine(result.stderr);
      expect(result.stderr).toContain('is not a file');
      nothingCreated();
    }),
  );

  it.runIf(process.getuid?.() === 0)(
    'a read-only .git/parallel: exit 1, one line naming it, nothing created',
    wrap('read-only state folder', async () => {
      const state = path.join(repo.root, '.git', 'parallel');
      mkdirSync(state);
      execFileSync('mount', ['--bind', state, state]);
      try {
        execFileSync('mount', ['-o', 'remount,bind,ro', state]);
        const result = await cli(['t', '-n', '2', '-p', 'x', '--no-attach']);
        expect(result.code, result.stderr).toBe(1);
        oneLine(result.stderr);
        expect(result.stderr).toContain(`cannot write ${state}`);
        expect(result.stderr).toContain('read-only');
        nothingCreated();
      } finally {
        execFileSync('umount', [state]);
      }
    }),
  );

  it(
    'a run.json whose session is not a name is damaged, and rm --force still ends the session',
    wrap('session not a name', async () => {
      expect((await cli(['t', '-n', '2', '-p', 'x', '--no-attach'])).code).toBe(0);
      const file = path.join(repo.root, '.git', 'parallel', 't', 'run.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      manifest.mux.session = 5;
      writeFileSync(file, JSON.stringify(manifest));
      const status = await cli(['status', 't']);
      expect(status.code, status.stderr).toBe(2);
      expect(status.stderr).toContain('session that is not a name');
      expect(tmux.tryTmux('has-session', '-t', '=app-t')).not.toBeNull();
      const removed = await cli(['rm', 't', '--force']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(tmux.tryTmux('has-session', '-t', '=app-t')).toBeNull();
      nothingCreated();
    }),
  );

  it(
    'doctor never hangs: an agent whose --version leaves a child holding stdout, one that never answers',
    wrap('doctor never hangs', async () => {
      const bin = path.join(repo.parent, 'bin');
      mkdirSync(bin);
      const script = (name: string, body: string) => {
        writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
        chmodSync(path.join(bin, name), 0o755);
      };
      script('leaves-child', 'sleep 6007 &\necho "leaves-child 1.2.3"');
      script('never-answers', 'sleep 6009');
      writeFileSync(
        path.join(repo.root, '.git-parallelrc.json'),
        JSON.stringify({
          agents: {
            'leaves-child': { command: 'leaves-child', prompt: 'none' },
            'never-answers': { command: 'never-answers', prompt: 'none' },
          },
        }),
      );
      const started = Date.now();
      const result = await runCli(['doctor', '--json'], {
        cwd: repo.root,
        env: { ...tmux.env, PATH: `${bin}:${process.env.PATH}` },
      });
      // An agent's --version gets 15 s (Gemini CLI and opencode load large bundles first), then its whole
      // process group is killed: doctor ends soon after, never the 10 minutes a held stdout used to cost.
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(result.code, result.stderr).toBe(0);
      const rows = JSON.parse(result.stdout).checks as { name: string; version: string | null }[];
      expect(rows.find((r) => r.name === 'leaves-child')?.version).toBe('1.2.3');
      expect(rows.find((r) => r.name === 'never-answers')?.version).toBeNull();
      // Nothing the probes started is left running.
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/^sleep 600[79]$/m);
    }),
    30_000,
  );
});
