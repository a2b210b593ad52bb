import type { PaneSpec } from './types.js';

/** How agent panes are arranged in tmux; the names are tmux's own `select-layout` layouts. */
export type TmuxArrangement =
  | 'tiled'
  | 'even-horizontal'
  | 'even-vertical'
  | 'main-vertical'
  | 'main-horizontal';

export interface TmuxSessionSpec {
  session: string;
  window: string;
  panes: PaneSpec[];
  /** One window with every pane (`single`), or one window per agent (`per-agent`). */
  windows: 'single' | 'per-agent';
  arrangement: TmuxArrangement;
  /** Extra window options from the layout file, set on every agent window. */
  options: [string, string][];
  /** Initial size of the detached session; the client's size takes over on attach. */
  size: { width: number; height: number };
}

const BORDER_FORMAT = ' #{@gp_name} #{?pane_dead,[exited #{pane_dead_status}],} ';

/**
 * The tmux commands that create a run's session, as argv arrays (run with execFile, never a shell).
 * Targets are the session's current window and pane (`=NAME:`): the session is new and detached, so the
 * pane just created is the active one. That keeps the same list valid as a file for `tmux source-file`.
 *
 * Gotchas handled (research/multiplexers.md §3.2): the session starts with a placeholder shell and the
 * first agent is started by respawn-pane, so no per-pane variable leaks into the session environment and
 * remain-on-exit is set before any agent can exit; pane labels live in a user option, because agents
 * overwrite pane titles; `-c` is a format, so `#` is doubled; every pane command has at least two words,
 * so tmux runs it without a shell.
 */
export function tmuxSessionCommands(spec: TmuxSessionSpec): string[][] {
  const [first, ...rest] = spec.panes;
  if (!first) throw new Error('a tmux session needs at least one pane');
  const session = `=${spec.session}`;
  const here = `${session}:`;
  const commands: string[][] = [
    [
      'new-session',
      '-d',
      '-s',
      spec.session,
      '-n',
      windowName(spec, first),
      '-x',
      String(spec.size.width),
      '-y',
      String(spec.size.height),
      '-c',
      formatSafe(first.cwd),
    ],
  ];
  const windowOptions = () => [
    ['set-option', '-w', '-t', here, 'remain-on-exit', 'on'],
    ['set-option', '-w', '-t', here, 'pane-border-status', 'top'],
    ['set-option', '-w', '-t', here, 'pane-border-format', BORDER_FORMAT],
    ...spec.options.map(([name, value]) => ['set-option', '-w', '-t', here, name, value]),
  ];
  commands.push(...windowOptions());
  commands.push(['respawn-pane', '-k', '-t', here, '-c', formatSafe(first.cwd), ...first.argv]);
  commands.push(['set-option', '-p', '-t', here, '@gp_name', first.title]);
  for (const pane of rest) {
    if (spec.windows === 'per-agent') {
      commands.push([
        'new-window',
        '-t',
        here,
        '-n',
        windowName(spec, pane),
        '-c',
        formatSafe(pane.cwd),
        ...pane.argv,
      ]);
      commands.push(...windowOptions());
    } else {
      commands.push(['split-window', '-t', here, '-c', formatSafe(pane.cwd), ...pane.argv]);
      commands.push(['select-layout', '-t', here, spec.arrangement]);
    }
    commands.push(['set-option', '-p', '-t', here, '@gp_name', pane.title]);
  }
  if (spec.windows === 'single') {
    commands.push(['select-layout', '-t', here, spec.arrangement]);
    commands.push(['select-pane', '-t', `${here}.{top-left}`]);
  } else {
    commands.push(['select-window', '-t', `${here}^`]);
  }
  return commands;
}

/**
 * Issue 16: one more agent pane in a live session (a synthesis candidate): split into the run's window
 * and re-arranged, or a window of its own for a per-agent layout. `create` prints the new pane's id
 * (`-P -F`), which `after` targets, so the label lands on that pane whatever the user has focused. `cwd`
 * is already format-safe.
 */
export function tmuxAddPaneCommands(spec: {
  session: string;
  /** The id of the window that holds the run's panes (`@3`). */
  window: string;
  pane: PaneSpec;
  windows: 'single' | 'per-agent';
  arrangement: TmuxArrangement;
  options: [string, string][];
}): { create: string[]; after: (paneId: string) => string[][] } {
  const { pane } = spec;
  const print = ['-P', '-F', '#{pane_id}'];
  if (spec.windows === 'per-agent') {
    const name = pane.title.split(' · ')[0]!;
    return {
      create: [
        'new-window',
        '-d',
        ...print,
        '-t',
        `${spec.session}:`,
        '-n',
        name,
        '-c',
        pane.cwd,
        ...pane.argv,
      ],
      after: (id) => [
        ['set-option', '-w', '-t', id, 'remain-on-exit', 'on'],
        ['set-option', '-w', '-t', id, 'pane-border-status', 'top'],
        ['set-option', '-w', '-t', id, 'pane-border-format', BORDER_FORMAT],
        ...spec.options.map(([option, value]) => ['set-option', '-w', '-t', id, option, value]),
        ['set-option', '-p', '-t', id, '@gp_name', pane.title],
      ],
    };
  }
  return {
    // -d: the pane the user is looking at stays focused.
    create: ['split-window', '-d', ...print, '-t', spec.window, '-c', pane.cwd, ...pane.argv],
    after: (id) => [
      ['set-option', '-p', '-t', id, '@gp_name', pane.title],
      ['select-layout', '-t', spec.window, spec.arrangement],
    ],
  };
}

function windowName(spec: TmuxSessionSpec, pane: PaneSpec): string {
  return spec.windows === 'per-agent' ? pane.title.split(' · ')[0]! : spec.window;
}

/** tmux expands formats in `-c`; `##` is a literal `#`. */
export function formatSafe(value: string): string {
  return value.replaceAll('#', '##');
}

/**
 * The same commands as a tmux command file, so `tmux start-server \; source-file FILE` recreates the
 * session. Words are single-quoted (literal in tmux's parser); a quote inside is closed, given in double
 * quotes and reopened (`'"'"'`), since tmux joins adjacent quoted strings like a shell does.
 */
export function renderTmuxScript(commands: string[][], header: string[]): string {
  const lines = header.map((line) => `# ${line}`);
  for (const command of commands) lines.push(command.map(tmuxQuote).join(' '));
  return `${lines.join('\n')}\n`;
}

export function tmuxQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=,./:-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/**
 * tmux's client sends a command line to the server in one message, and refuses one longer than its
 * message limit ("command too long": 16 KiB less a header, MAX_IMSGSIZE in tmux's source). A session of
 * 32 panes, each with its launcher's path and title, is longer than that as one `;`-joined command line:
 * so the commands go in groups of at most `budget` bytes (each word and its NUL), in order, and a group
 * is one tmux process. A command longer than the budget alone is its own group, for tmux to judge.
 */
export const TMUX_COMMAND_BUDGET = 12_000;

export function tmuxCommandGroups(commands: string[][], budget = TMUX_COMMAND_BUDGET): string[][][] {
  const groups: string[][][] = [];
  let size = 0;
  for (const command of commands) {
    // Each word and its NUL, and the ";" word between commands.
    const bytes = command.reduce((sum, word) => sum + Buffer.byteLength(word) + 1, 2);
    const last = groups.at(-1);
    if (last && size + bytes <= budget) {
      last.push(command);
      size += bytes;
    } else {
      groups.push([command]);
      size = bytes;
    }
  }
  return groups;
}
