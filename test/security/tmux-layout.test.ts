import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTmuxLayout } from '../../src/core/tmux-layout.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/repo.js';
import { privateTmux } from '../helpers/tmux.js';

describe('a tmux layout runs nothing (issue 13 item 3)', () => {
  const values = { task: 't', session: 's' };
  it.each([
    ['option pane-border-format "#(id > /tmp/x)"', 'runs a command through #(…)'],
    ["option pane-border-format '#[fg=red]#(id)'", 'runs a command through #(…)'],
    ['option pane-focus-in "run-shell id"', 'is a tmux hook'],
    ['option after-split-window[0] "run-shell id"', 'is a tmux hook'],
    ['option default-command "sh -c id"', 'names a program tmux runs'],
    ['option lock-command id', 'names a program tmux runs'],
    ['option pane-border-format "x run-shell y"', 'runs a shell'],
  ])('refuses %s', (line, message) => {
    expect(() => parseTmuxLayout(`windows single\n${line}\n`, 'evil.tmux', values)).toThrow(
      new RegExp(`^evil\\.tmux:2: .*${message.replace(/[()…]/g, '.')}`),
    );
  });

  it('keeps formats that only read (#{…}, #[…])', () => {
    expect(
      parseTmuxLayout('option pane-border-format "#{pane_index} #[bold]{{task}}"\n', 'ok.tmux', values)
        .options,
    ).toEqual([['pane-border-format', '#{pane_index} #[bold]t']]);
  });

  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("a repository's layout with #(…) is refused before anything is created; nothing runs", async () => {
    const repo = makeRepo('app');
    const tmux = privateTmux();
    cleanups.push(repo.cleanup, tmux.kill);
    const marker = path.join(repo.parent, 'PWNED');
    repo.write('layouts/evil.tmux', `windows single\noption pane-border-format "#(id > ${marker})"\n`);
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'shell', layout: 'layouts/evil.tmux' }),
    );
    repo.commit('layout');
    const result = await runCli(['t', '-n', '1', '--mux', 'tmux', '--no-attach'], {
      cwd: repo.root,
      env: { ...tmux.env, GIT_PARALLEL_TRUST: '', XDG_CONFIG_HOME: path.join(repo.parent, 'cfg') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `git parallel: ${path.join(repo.root, 'layouts/evil.tmux')}:2: option pane-border-format runs a command through #(…) in its value; a layout may not`,
    );
    expect(repo.git('branch', '--list')).toBe('* main');
    expect(tmux.tryTmux('list-sessions')).toBeNull();
    expect(existsSync(marker)).toBe(false);
  });
});
