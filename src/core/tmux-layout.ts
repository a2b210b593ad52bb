import { LayoutTemplateError } from '../errors.js';
import type { TmuxArrangement } from './tmux-commands.js';

/**
 * A tmux layout file (`layouts/<name>.tmux`, or the user's own): tmux has no layout format, so this is a
 * small declarative one. One setting per line, `#` starts a comment:
 *
 *   windows  single | per-agent      every agent a pane of one window, or a window per agent
 *   arrange  tiled | even-horizontal | even-vertical | main-vertical | main-horizontal
 *   option   <window-option> <value> a tmux window option set on every agent window; the value is taken
 *                                    literally (tmux formats such as #{pane_index} stay as they are) and
 *                                    may use the placeholders {{task}} and {{session}}
 *
 * A layout describes panes; it never runs anything. Since a template may come from a repository (a
 * config's `layout` path), values that make tmux run a command are refused (`#(…)` in a format, a
 * `run-shell` or `if-shell` command), and so are hooks (`pane-focus-in`, `after-*`…) and the options
 * that choose what a new pane runs (`default-command`, `default-shell`).
 */
export interface TmuxLayout {
  windows: 'single' | 'per-agent';
  arrangement: TmuxArrangement;
  options: [string, string][];
  /** The line of the file each option came from (options[i] ↔ optionLines[i]), for tmux's verdict on it. */
  optionLines: number[];
}

const ARRANGEMENTS: readonly TmuxArrangement[] = [
  'tiled',
  'even-horizontal',
  'even-vertical',
  'main-vertical',
  'main-horizontal',
];
export const TMUX_LAYOUT_PLACEHOLDERS = ['task', 'session'] as const;

export function parseTmuxLayout(
  text: string,
  file: string,
  values: { task: string; session: string },
): TmuxLayout {
  const layout: TmuxLayout = {
    windows: 'single',
    arrangement: 'tiled',
    options: [],
    optionLines: [],
  };
  for (const [index, raw] of text.split('\n').entries()) {
    const fail = (problem: string): never => {
      throw new LayoutTemplateError(`${file}:${index + 1}: ${problem}`);
    };
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, key = '', rest = ''] =
      line.match(/^(\S+)\s+(.*)$/) ?? fail(`"${line}" needs a value (windows, arrange or option)`);
    if (key === 'windows') {
      if (rest !== 'single' && rest !== 'per-agent')
        fail(`windows must be single or per-agent, not "${rest}"`);
      layout.windows = rest as TmuxLayout['windows'];
    } else if (key === 'arrange') {
      if (!ARRANGEMENTS.includes(rest as TmuxArrangement))
        fail(`arrange must be one of ${ARRANGEMENTS.join(', ')}, not "${rest}"`);
      layout.arrangement = rest as TmuxArrangement;
    } else if (key === 'option') {
      const [, name = '', value = ''] =
        rest.match(/^(\S+)\s+(.*)$/) ??
        fail('option needs a name and a value, e.g. option pane-border-lines heavy');
      const expanded = value.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_all, placeholder: string) => {
        if (!(TMUX_LAYOUT_PLACEHOLDERS as readonly string[]).includes(placeholder)) {
          fail(`unknown placeholder {{${placeholder}}} (known: ${TMUX_LAYOUT_PLACEHOLDERS.join(', ')})`);
        }
        return values[placeholder as keyof typeof values];
      });
      const danger = optionDanger(name, expanded);
      if (danger) fail(danger);
      layout.options.push([name, unquote(expanded)]);
      layout.optionLines.push(index + 1);
    } else {
      fail(`unknown setting "${key}" (known: windows, arrange, option)`);
    }
  }
  return layout;
}

function unquote(value: string): string {
  const quoted = value.match(/^"(.*)"$/) ?? value.match(/^'(.*)'$/);
  return quoted ? quoted[1]! : value;
}

const HOOK =
  /^(after-|alert-|client-|command-error$|pane-(died|exited|focus-in|focus-out|mode-changed|set-clipboard|title-changed)$|session-(closed|created|renamed|window-changed)$|window-(layout-changed|linked|pane-changed|renamed|resized|unlinked)$)/;
/** Options whose value is a program tmux starts. */
const PROGRAM_OPTIONS = new Set([
  'default-command',
  'default-shell',
  'lock-command',
  'copy-command',
  'editor',
  'command-alias',
]);

/** Why an option line is refused: it would make tmux run a program. */
export function optionDanger(name: string, value: string): string | null {
  const bare = name.replace(/\[\d*\]$/, '');
  if (HOOK.test(bare)) return `option ${name} is a tmux hook, which runs commands; a layout may not set one`;
  if (PROGRAM_OPTIONS.has(bare)) return `option ${name} names a program tmux runs; a layout may not set it`;
  if (value.includes('#('))
    return `option ${name} runs a command through #(…) in its value; a layout may not`;
  if (/\b(run-shell|if-shell)\b/.test(value))
    return `option ${name} holds a tmux command that runs a shell; a layout may not`;
  return null;
}
