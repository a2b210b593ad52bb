import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINAL_TEXT } from './model-server.js';
import { useAgentWorld } from './world.js';

/**
 * Issue 17 with the real Claude Code (installed by scripts/install-agents.mjs), run as a user runs it:
 * `git parallel t --sandbox --yolo` with the claude preset, in tmux. As root its skip-permission flag works
 * only in a sandbox, where the launcher sets IS_SANDBOX=1 (inside only). The model stand-in's tool call
 * edits a file, commits it, and tries to write into the main worktree; the commit must land on the
 * candidate's branch and the write outside must fail.
 */
describe('--sandbox --yolo with the real Claude Code', () => {
  const world = useAgentWorld();

  it('runs a turn that edits and commits on its own branch, and cannot write into the main worktree', async () => {
    const escaped = path.join(world.repo.root, 'escaped.txt');
    world.server.setShellCommand(
      [
        "printf 'edited inside the sandbox\\n' > sandboxed.txt",
        'git add sandboxed.txt',
        "git commit -q -m 'edit inside the sandbox'",
        `{ printf x > '${escaped}' || true; }`,
      ].join(' && '),
    );
    const mainBefore = world.repo.git('rev-parse', 'main');
    const created = await world.cli([
      't',
      '-n',
      '1',
      '--agent',
      'claude',
      '--sandbox',
      '--yolo',
      '--prompt',
      'add sandboxed.txt and commit it',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('t', 'done');
    const screen = world.screen('t', 1);
    expect(screen, screen).toContain(FINAL_TEXT);
    expect(screen).not.toContain('root/sudo');
    expect(world.server.prompts).toEqual(['add sandboxed.txt and commit it']);

    // The commit is on the candidate's branch, made inside its worktree; nothing else moved.
    expect(world.repo.git('log', '-1', '--format=%s', 't-1')).toBe('edit inside the sandbox');
    expect(world.repo.git('show', 't-1:sandboxed.txt')).toBe('edited inside the sandbox');
    expect(world.repo.git('rev-parse', 't-1^')).toBe(mainBefore);
    expect(world.repo.git('rev-parse', 'main')).toBe(mainBefore);
    expect(existsSync(escaped)).toBe(false);
    const status = JSON.parse((await world.cli(['status', 't', '--json'])).stdout);
    expect(status.runs[0].sandboxed).toBe(true);
  });

  // Only root meets Claude's refusal; as a normal user --yolo without --sandbox is allowed (issue 9).
  it.runIf(process.getuid?.() === 0)(
    'without --sandbox, --yolo as root is refused up front, before anything is created',
    async () => {
      // Claude would refuse as root in every pane: git parallel refuses first and says to use --sandbox (issue 9).
      const bare = await world.cli([
        'u',
        '-n',
        '1',
        '--agent',
        'claude',
        '--yolo',
        '-p',
        'hi',
        '--no-attach',
      ]);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toBe(
        'git parallel: claude refuses its skip-permission flag (--dangerously-skip-permissions) as root: run without --yolo, or with --sandbox\n',
      );
      expect(existsSync(path.join(world.repo.root, '.git/parallel/u'))).toBe(false);
    },
  );
});
