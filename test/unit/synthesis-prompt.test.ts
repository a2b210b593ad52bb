import { describe, expect, it } from 'vitest';
import { fairLimits, synthesisPrompt } from '../../src/core/synthesis-prompt.js';
import { tmuxAddPaneCommands } from '../../src/core/tmux-commands.js';

describe('fairLimits', () => {
  it.each([
    [[10, 10], 100, [10, 10]],
    [[100, 100], 100, [50, 50]],
    [[10, 500, 500], 100, [10, 45, 45]],
    [[0, 30, 500], 100, [0, 30, 70]],
    [[], 100, []],
  ])('%j in %i → %j', (sizes, budget, limits) => expect(fairLimits(sizes, budget)).toEqual(limits));
});

describe('synthesisPrompt', () => {
  const patch = (n: number, lines: number) =>
    `diff --git a/f${n} b/f${n}\n${Array.from({ length: lines }, (_, i) => `+line ${i}`).join('\n')}\n`;

  it('cuts large diffs fairly and says how much it left out', () => {
    const small = patch(1, 2);
    const large = patch(2, 1000);
    const prompt = synthesisPrompt({
      task: 't',
      prompt: 'Do it',
      sources: [
        { n: 1, agent: 'claude', patch: small },
        { n: 2, agent: 'codex', patch: large },
      ],
      review: null,
      budget: 1000,
    });
    expect(prompt).toContain(small);
    expect(prompt).toContain(`${large.slice(0, 1000 - small.length)}\n\`\`\``);
    expect(prompt).toContain(
      `(The diff is cut here: ${large.length - (1000 - small.length)} of its ${large.length} characters are not shown.)`,
    );
    expect(prompt).toContain('No review was stored');
  });

  it('fences a diff that holds backticks with a longer fence, and says when a candidate changed nothing', () => {
    const prompt = synthesisPrompt({
      task: 't',
      prompt: null,
      sources: [
        { n: 1, agent: 'a', patch: '+```js\n' },
        { n: 3, agent: 'b', patch: '' },
      ],
      review: { candidates: [], ranking: [], recommended: null, reasons: '' },
    });
    expect(prompt).toContain('````diff\n+```js\n````');
    expect(prompt).toContain(
      '# Candidate 3 (b)\n\nThe review said nothing about this candidate.\n\nIts diff against the base is empty',
    );
    expect(prompt).toContain('(The run t has no written prompt.)');
    expect(prompt).not.toContain('# The review');
  });
});

describe('tmuxAddPaneCommands', () => {
  const pane = { title: 't-4 · claude · :4001', cwd: '/w/t-4', argv: ['/node', 'launch', 't', '4'] };
  it('splits the run’s window without taking the focus, labels the new pane by its id, re-arranges', () => {
    const steps = tmuxAddPaneCommands({
      session: '=s',
      window: '@1',
      pane,
      windows: 'single',
      arrangement: 'tiled',
      options: [],
    });
    expect(steps.create).toEqual([
      'split-window',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-t',
      '@1',
      '-c',
      '/w/t-4',
      '/node',
      'launch',
      't',
      '4',
    ]);
    expect(steps.after('%9')).toEqual([
      ['set-option', '-p', '-t', '%9', '@gp_name', pane.title],
      ['select-layout', '-t', '@1', 'tiled'],
    ]);
  });
  it('opens a window of its own in a per-agent layout, with the run’s window options', () => {
    const steps = tmuxAddPaneCommands({
      session: '=s',
      window: '@1',
      pane,
      windows: 'per-agent',
      arrangement: 'tiled',
      options: [['mode-keys', 'vi']],
    });
    expect(steps.create.slice(0, 9)).toEqual([
      'new-window',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-t',
      '=s:',
      '-n',
      't-4',
    ]);
    expect(steps.after('%9')).toContainEqual(['set-option', '-w', '-t', '%9', 'mode-keys', 'vi']);
    expect(steps.after('%9')).toContainEqual(['set-option', '-w', '-t', '%9', 'remain-on-exit', 'on']);
  });
});
