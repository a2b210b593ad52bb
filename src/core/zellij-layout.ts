/**
 * Zellij layouts from templates. A template is a KDL v1 layout file with placeholders (the built-in
 * ones are `layouts/*.kdl`); rendering fills in the agent panes and checks the result against
 * zellij's layout rules. Pure: the caller reads the template file and writes the result.
 *
 * <!-- zellij-placeholders:start -->
 * Placeholders in a zellij layout template:
 *
 * | placeholder    | expands to                                                                              |
 * | -------------- | --------------------------------------------------------------------------------------- |
 * | `{{tab_name}}` | the tab name as a quoted KDL string, quotes included: write `tab name={{tab_name}}`     |
 * | `{{grid}}`     | all agent panes in a grid of ceil(sqrt(N)) columns: rows of side-by-side panes, stacked |
 * | `{{columns}}`  | all agent panes side by side                                                            |
 * | `{{rows}}`     | all agent panes stacked top to bottom                                                   |
 * | `{{tabs}}`     | one `tab` per agent, named after its pane, the first one focused; only directly in `layout` |
 *
 * - A template holds exactly one of `{{grid}}`, `{{columns}}`, `{{rows}}` and `{{tabs}}`.
 *   `{{grid}}`, `{{columns}}` and `{{rows}}` each expand to a single `pane` node (put it in a `tab`);
 *   `{{tabs}}` expands to `tab` nodes, so it goes directly inside `layout`.
 * - A placeholder may stand on a line by itself or inside a line. When it expands to several lines,
 *   the lines after the first get the indentation of the line it stands on.
 * - Lines whose first non-blank characters are `//` are copied unchanged, placeholders included.
 * - Each agent pane is `pane name="<title>" cwd="<worktree>" command="<argv[0]>" { args "<argv[1]>" … }`,
 *   and the first one has `focus=true`. `$` in `cwd` and `command` is written `$$`, because zellij
 *   expands environment variables there; names and args are written exactly.
 * <!-- zellij-placeholders:end -->
 */
import { parse } from '@bgotink/kdl/v1-compat';
import { LayoutTemplateError } from '../errors.js';
import { kdlString, zellijPath } from './kdl-v1.js';
import type { PaneSpec } from './types.js';
import { checkZellijLayout } from './zellij-rules.js';

/** Every placeholder a template may use. */
export const ZELLIJ_PLACEHOLDERS = ['tab_name', 'grid', 'columns', 'rows', 'tabs'] as const;
export type ZellijPlaceholder = (typeof ZELLIJ_PLACEHOLDERS)[number];

/** The placeholders that place the agent panes; a template holds exactly one of them. */
export const ZELLIJ_PANE_PLACEHOLDERS = ['grid', 'columns', 'rows', 'tabs'] as const;

/** The built-in templates, `layouts/<name>.kdl`. */
export const BUILT_IN_ZELLIJ_LAYOUTS = ['tiled', 'columns', 'rows', 'tabs'] as const;

/** A template that cannot be rendered: the message names the file, the line and the problem. */
export { LayoutTemplateError };

export interface ZellijTemplate {
  /** The template's text. */
  text: string;
  /** Where it came from, for messages (e.g. `layouts/tiled.kdl`). */
  file: string;
}

export interface ZellijLayoutVars {
  tabName: string;
  panes: PaneSpec[];
}

const INDENT = '    ';

/**
 * The grid for n panes: ceil(sqrt(n)) columns, as few rows as that allows, and the panes spread
 * evenly over the rows with the fuller rows first. Returns the number of panes in each row, top to
 * bottom; the first row always has the full column count. gridShape(5) is [3, 2], gridShape(7) is
 * [3, 2, 2].
 */
export function gridShape(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`gridShape needs a positive pane count, got ${n}`);
  const columns = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / columns);
  const base = Math.floor(n / rows);
  const fuller = n % rows;
  return Array.from({ length: rows }, (_, i) => (i < fuller ? base + 1 : base));
}

/** Render a template for these panes. Throws LayoutTemplateError for a bad template. */
export function renderZellijLayout(template: ZellijTemplate, vars: ZellijLayoutVars): string {
  if (vars.panes.length === 0) throw new Error('renderZellijLayout: there are no panes to lay out');
  const fail = (line: number | undefined, problem: string) =>
    new LayoutTemplateError(`${template.file}${line === undefined ? '' : `:${line}`}: ${problem}`);

  const output: string[] = [];
  /** For each output line, the template line it came from. */
  const origin: number[] = [];
  let placed: { name: string; line: number } | undefined;

  const lines = template.text.split(/\r?\n/);
  for (const [index, text] of lines.entries()) {
    const line = index + 1;
    const rendered = /^\s*\/\//.test(text)
      ? text
      : expandLine(text, (name) => {
          if (!isPlaceholder(name)) {
            throw fail(line, `unknown placeholder {{${name}}} (known: ${ZELLIJ_PLACEHOLDERS.join(', ')})`);
          }
          if (isPanePlaceholder(name)) {
            if (placed) {
              throw fail(
                line,
                `{{${name}}} is a second pane placeholder after {{${placed.name}}} on line ${placed.line}; a template places the agents once`,
              );
            }
            placed = { name, line };
          }
          return expand(name, vars);
        });
    if (rendered === undefined) {
      throw fail(line, 'unterminated {{ (a placeholder is written {{name}} on one line)');
    }
    for (const out of rendered.split('\n')) {
      output.push(out);
      origin.push(line);
    }
  }

  if (!placed) {
    const names = ZELLIJ_PANE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
    throw fail(undefined, `no pane placeholder: the template must hold one of ${names}`);
  }
  const layout = output.join('\n');
  const check = checkZellijLayout(layout);
  if (!check.ok) {
    const [first, ...more] = check.problems;
    const line = first?.line === undefined ? undefined : origin[first.line - 1];
    const also = more.length > 0 ? ` (and ${more.length} more)` : '';
    throw fail(line, `the rendered layout is not valid for zellij: ${first?.message}${also}`);
  }
  return layout;
}

function isPlaceholder(name: string): name is ZellijPlaceholder {
  return (ZELLIJ_PLACEHOLDERS as readonly string[]).includes(name);
}

function isPanePlaceholder(name: ZellijPlaceholder): boolean {
  return (ZELLIJ_PANE_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Replace every `{{name}}` on one template line. A multi-line expansion continues at the line's
 * indentation. Returns undefined when a `{{` is not closed on the line.
 */
function expandLine(text: string, expansion: (name: string) => string[]): string | undefined {
  const indent = /^\s*/.exec(text)?.[0] ?? '';
  let result = '';
  let position = 0;
  for (;;) {
    const open = text.indexOf('{{', position);
    if (open === -1) return result + text.slice(position);
    const close = text.indexOf('}}', open + 2);
    if (close === -1) return undefined;
    const lines = expansion(text.slice(open + 2, close).trim());
    result += text.slice(position, open) + lines.join(`\n${indent}`);
    position = close + 2;
  }
}

function expand(name: ZellijPlaceholder, vars: ZellijLayoutVars): string[] {
  switch (name) {
    case 'tab_name':
      return [kdlString(vars.tabName)];
    case 'grid':
      return gridNode(vars.panes);
    case 'columns':
      return splitNode('vertical', vars.panes.map(agentPane));
    case 'rows':
      return splitNode('horizontal', vars.panes.map(agentPane));
    case 'tabs':
      return vars.panes.flatMap((pane, i) =>
        block(`tab name=${kdlString(pane.title)}${i === 0 ? ' focus=true' : ''}`, agentPane(pane, i)),
      );
  }
}

/** One agent: a leaf pane that runs argv in cwd. `args` is left out when there are none (empty is an error). */
function agentPane(pane: PaneSpec, index: number): string[] {
  const [command, ...args] = pane.argv;
  if (command === undefined)
    throw new Error(`renderZellijLayout: pane ${JSON.stringify(pane.title)} has an empty argv`);
  const focus = index === 0 ? ' focus=true' : '';
  const head = `pane name=${kdlString(pane.title)} cwd=${zellijPath(pane.cwd)} command=${zellijPath(command)}${focus}`;
  return args.length === 0 ? [head] : block(head, [`args ${args.map(kdlString).join(' ')}`]);
}

function block(head: string, body: string[]): string[] {
  return [`${head} {`, ...body.map((l) => INDENT + l), '}'];
}

/** A container pane around several panes; a single pane is returned as it is (never a container with cwd). */
function splitNode(direction: 'vertical' | 'horizontal', panes: string[][]): string[] {
  const [only] = panes;
  if (panes.length === 1 && only) return only;
  return block(`pane split_direction="${direction}"`, panes.flat());
}

function gridNode(panes: PaneSpec[]): string[] {
  const leaves = panes.map(agentPane);
  const rows: string[][] = [];
  let start = 0;
  for (const count of gridShape(panes.length)) {
    rows.push(splitNode('vertical', leaves.slice(start, start + count)));
    start += count;
  }
  return splitNode('horizontal', rows);
}

/**
 * The tabs a rendered layout opens, by name (null for an unnamed tab): the `tab` nodes directly in
 * `layout`, or one unnamed tab when it has none. `action new-tab --layout` opens one tab per entry.
 */
export function layoutTabNames(kdl: string): (string | null)[] {
  const layout = parse(kdl).nodes.find((node) => node.getName() === 'layout');
  const tabs = (layout?.children?.nodes ?? []).filter((node) => node.getName() === 'tab');
  if (tabs.length === 0) return [null];
  return tabs.map((tab) => {
    const name = tab.getProperty('name');
    return typeof name === 'string' ? name : null;
  });
}
