import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PANE_SHELL } from '../../src/core/pane-script.js';
import {
  formatSafe,
  renderTmuxScript,
  TMUX_COMMAND_BUDGET,
  tmuxCommandGroups,
  tmuxQuote,
  tmuxSessionCommands,
} from '../../src/core/tmux-commands.js';
import { parseTmuxLayout } from '../../src/core/tmux-layout.js';
import { joinTmuxCommands } from '../../src/io/tmux.js';
import { privateTmux } from '../helpers/tmux.js';

const panes = [
  { title: 't-1 · claude · :4001', cwd: '/w/t-1', argv: ['/bin/node', '/gp.js', 'launch', 't', '1'] },
  { title: 't-2 · claude · :4002', cwd: '/w/odd#dir', argv: ['/bin/node', '/gp.js', 'launch', 't', '2'] },
];
const spec = {
  session: 's',
  window: 't',
  panes,
  windows: 'single' as const,
  arrangement: 'tiled' as const,
  options: [],
  size: { width: 200, height: 50 },
};

describe('tmuxSessionCommands', () => {
  it('starts with a placeholder, sets options before the first agent runs, and re-tiles after every split', () => {
    const commands = tmuxSessionCommands(spec);
    expect(commands.map((c) => c[0])).toEqual([
      'new-session',
      'set-option',
      'set-option',
      'set-option',
      'respawn-pane',
      'set-option',
      'split-window',
      'select-layout',
      'set-option',
      'select-layout',
      'select-pane',
    ]);
    expect(commands[0]).not.toContain('-e');
    expect(commands[4]).toEqual(['respawn-pane', '-k', '-t', '=s:', '-c', '/w/t-1', ...panes[0]!.argv]);
    expect(commands[6]).toEqual(['split-window', '-t', '=s:', '-c', '/w/odd##dir', ...panes[1]!.argv]);
    expect(commands[8]).toEqual(['set-option', '-p', '-t', '=s:', '@gp_name', 't-2 · claude · :4002']);
  });

  it('per-agent windows: one new-window each, with the window options set on every window', () => {
    const commands = tmuxSessionCommands({
      ...spec,
      windows: 'per-agent',
      options: [['pane-border-lines', 'heavy']],
    });
    expect(commands.filter((c) => c[0] === 'new-window')).toHaveLength(1);
    expect(commands.filter((c) => c.includes('remain-on-exit'))).toHaveLength(2);
    expect(commands.filter((c) => c.includes('pane-border-lines'))).toHaveLength(2);
    expect(commands[0]).toContain('t-1');
  });

  it('renders a command file tmux reads back to the same words', () => {
    expect(tmuxQuote("it's $x; #y {}")).toBe(`'it'"'"'s $x; #y {}'`);
    expect(tmuxQuote('/plain/path-1')).toBe('/plain/path-1');
    expect(formatSafe('#{x}#')).toBe('##{x}##');
    expect(renderTmuxScript([['a', 'b c']], ['header'])).toBe("# header\na 'b c'\n");
  });
});

describe('parseTmuxLayout', () => {
  const values = { task: 'auth', session: 'app-auth' };
  it('reads windows, arrange and options with placeholders', () => {
    const layout = parseTmuxLayout(
      '# c\nwindows per-agent\narrange even-vertical\noption pane-border-format "{{task}} #{pane_index}"\n',
      'x.tmux',
      values,
    );
    expect(layout).toEqual({
      windows: 'per-agent',
      arrangement: 'even-vertical',
      options: [['pane-border-format', 'auth #{pane_index}']],
      optionLines: [4],
    });
  });
  it.each([
    ['windows two', 'x.tmux:1: windows must be single or per-agent, not "two"'],
    [
      '\narrange spiral',
      'x.tmux:2: arrange must be one of tiled, even-horizontal, even-vertical, main-vertical, main-horizontal, not "spiral"',
    ],
    ['colour red', 'x.tmux:1: unknown setting "colour" (known: windows, arrange, option)'],
    ['option x {{repo}}', 'x.tmux:1: unknown placeholder {{repo}} (known: task, session)'],
    ['windows', 'x.tmux:1: "windows" needs a value (windows, arrange or option)'],
  ])('%j → %s', (text, message) => {
    expect(() => parseTmuxLayout(text, 'x.tmux', values)).toThrow(message);
  });
});

describe('tmuxCommandGroups: a session in as few tmux processes as its message limit allows', () => {
  const manyPanes = Array.from({ length: 32 }, (_, i) => ({
    title: `grow-${i + 1} · shell · :${4001 + i}`,
    cwd: `/home/someone/projects/a-repository-worktrees/grow-${i + 1}`,
    // As a pane starts (io/launcher-path.ts): sh -c PANE_SHELL with node, the CLI, task, n and state folder.
    argv: [
      '/bin/sh',
      '-c',
      PANE_SHELL,
      'git-parallel',
      '/usr/local/bin/node',
      '/usr/local/lib/node_modules/git-parallel/bin/git-parallel.js',
      'grow',
      String(i + 1),
      '/home/someone/projects/a-repository/.git/parallel/runs/grow',
    ],
  }));
  const commands = tmuxSessionCommands({ ...spec, panes: manyPanes });
  const bytes = (group: string[][]) =>
    joinTmuxCommands(group).reduce((n, w) => n + Buffer.byteLength(w) + 1, 0);

  it('keeps a small session in one group, splits a large one in order, each group within the budget', () => {
    expect(tmuxCommandGroups(tmuxSessionCommands(spec))).toHaveLength(1);
    const groups = tmuxCommandGroups(commands);
    expect(bytes(commands)).toBeGreaterThan(TMUX_COMMAND_BUDGET);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.flat()).toEqual(commands);
    for (const group of groups) expect(bytes(group)).toBeLessThanOrEqual(TMUX_COMMAND_BUDGET);
  });

  it('puts a command longer than the budget in a group of its own', () => {
    const long = ['set-option', '-t', 's', '@x', 'y'.repeat(100)];
    expect(tmuxCommandGroups([['a'], long, ['b']], 50)).toEqual([[['a']], [long], [['b']]]);
  });

  describe('against the real tmux', () => {
    const tmux = privateTmux();
    afterAll(() => tmux.kill());
    const run = (args: string[]) => {
      try {
        execFileSync('tmux', ['-L', tmux.socket, ...args], { stdio: 'pipe' });
        return 'ok';
      } catch (error) {
        return String((error as { stderr?: Buffer }).stderr ?? error);
      }
    };
    // Commands that each set a user option of the session, TMUX_COMMAND_BUDGET bytes in all.
    const filler = (total: number) => {
      const out: string[][] = [['new-session', '-d', '-s', 'limit']];
      for (let i = 0; bytes(out) < total - 600; i++)
        out.push(['set-option', '-t', 'limit', `@o${i}`, 'v'.repeat(400)]);
      return out;
    };

    it('accepts a group of the budget, and refuses the same commands at twice the size ("command too long")', () => {
      const withinBudget = filler(TMUX_COMMAND_BUDGET);
      expect(bytes(withinBudget)).toBeLessThanOrEqual(TMUX_COMMAND_BUDGET);
      expect(run(joinTmuxCommands(withinBudget))).toBe('ok');
      run(['kill-session', '-t', 'limit']);
      expect(run(joinTmuxCommands(filler(2 * TMUX_COMMAND_BUDGET)))).toMatch(/command too long/);
    });
  });
});
