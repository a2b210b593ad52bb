/**
 * Zellij's structural layout rules, checked offline.
 *
 * A generic KDL parser accepts every layout that zellij rejects on its own grounds, so this module
 * re-states the rules of zellij's layout parser (`zellij-utils/src/kdl/kdl_layout_parser.rs`, read at
 * 0.45/0.46-dev, plus the 0.44.1 tab properties on `layout`) over a document parsed with
 * `@bgotink/kdl/v1-compat`. Each rule is a small function whose comment names zellij's error, and
 * each problem message is zellij's own message. The checker walks the same way zellij's parser does:
 * pane templates first, then tab templates and swap layouts, then the children of `layout`.
 *
 * Differences from zellij, on purpose:
 * - Every problem is reported, where zellij stops at the first one.
 * - `$VAR` expansion in `cwd`/`command`/`edit` is only checked when `options.env` is given (zellij
 *   uses the environment of the process that reads the layout; an undefined variable is an error).
 * - An `args=` *property* is reported: zellij only reads the `args` child node and silently drops it.
 * - A negative `size` is reported; zellij casts it to an unsigned number.
 * Not checked: plugin URLs, the contents of config nodes next to `layout` (`keybinds`, `themes`, …).
 *
 * Proven against zellij's own fixtures in test/unit/zellij-rules.test.ts.
 */
import { type Document, type Entry, getLocation, InvalidKdlError, type Node } from '@bgotink/kdl';
import { parse } from '@bgotink/kdl/v1-compat';
import { kdlString } from './kdl-v1.js';

export interface LayoutProblem {
  /** 1-based line in the checked text, when the problem can be tied to a node. */
  line?: number;
  message: string;
}

export type ZellijLayoutCheck = { ok: true } | { ok: false; problems: LayoutProblem[] };

export interface ZellijCheckOptions {
  /** When given, `$VAR`/`${VAR}` in `cwd`, `command` and `edit` must be defined here, as zellij requires. */
  env?: Record<string, string | undefined>;
}

/** Parse `text` as KDL v1 and check it against zellij's layout rules. */
export function checkZellijLayout(text: string, options: ZellijCheckOptions = {}): ZellijLayoutCheck {
  return runChecker(text, (doc) => new LayoutChecker(options.env).check(doc));
}

/**
 * Check a swap-layout file (`NAME.swap.kdl`, loaded by zellij next to `NAME.kdl`): templates and
 * `swap_tiled_layout`/`swap_floating_layout` nodes at the top level, no `layout` node.
 */
export function checkZellijSwapLayout(
  text: string,
  options: ZellijCheckOptions & {
    /** The text of the `NAME.kdl` beside it: zellij reads both with one parser, so its templates count. */
    layout?: string;
  } = {},
): ZellijLayoutCheck {
  return runChecker(text, (doc) => {
    const checker = new LayoutChecker(options.env);
    if (options.layout !== undefined) checker.learnTemplates(parse(options.layout));
    return checker.checkSwapFile(doc);
  });
}

function runChecker(text: string, check: (doc: Document) => LayoutProblem[]): ZellijLayoutCheck {
  let doc: Document;
  try {
    doc = parse(text, { storeLocations: true });
  } catch (error) {
    if (!(error instanceof InvalidKdlError)) throw error;
    return {
      ok: false,
      problems: [...error.flat()].map((e) => ({ line: e.start?.line, message: e.message })),
    };
  }
  const problems = check(doc);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

// ---------------------------------------------------------------------------------------------------
// Zellij's word lists (kdl_layout_parser.rs: is_a_reserved_word, is_a_valid_*_property; default_fg and
// default_bg are the 0.44.0 pane colours)

function words(list: string): ReadonlySet<string> {
  return new Set(list.trim().split(/\s+/));
}

const RESERVED_WORDS = words(`
  pane layout pane_template tab_template default_tab_template new_tab_template command edit plugin
  children tab args close_on_exit start_suspended borderless focus name size cwd split_direction
  swap_tiled_layout swap_floating_layout hide_floating_panes contents_file
`);

const PANE_PROPERTIES = words(`
  borderless focus name size plugin command edit cwd args close_on_exit start_suspended
  split_direction pane children stacked expanded exclude_from_sync contents_file default_fg default_bg
`);

const FLOATING_PANE_PROPERTIES = words(`
  borderless focus name plugin command edit cwd args close_on_exit start_suspended x y width height
  pinned contents_file default_fg default_bg
`);

const TAB_PROPERTIES = words(`
  focus name split_direction cwd floating_panes children max_panes min_panes exact_panes
  hide_floating_panes
`);

/** Tab properties that zellij 0.44.1+ also accepts on the `layout` node, when it has no tabs. */
const LAYOUT_TAB_PROPERTIES = ['name', 'split_direction', 'hide_floating_panes'];

// ---------------------------------------------------------------------------------------------------
// Reading values the way zellij's kdl_* macros do: a property first, else the first argument of the
// first child node of that name.

type KdlValue = string | number | boolean | null;
type Lookup = { kind: 'value'; value: KdlValue; at: Entry } | { kind: 'bare'; at: Node };

function childNodes(node: Node): Node[] {
  return node.children?.nodes ?? [];
}

function firstChild(node: Node, name: string): Node | undefined {
  return childNodes(node).find((c) => c.getName() === name);
}

function lookup(node: Node, name: string): Lookup | undefined {
  const property = node.getPropertyEntry(name);
  if (property) return { kind: 'value', value: property.getValue(), at: property };
  const child = firstChild(node, name);
  if (!child) return undefined;
  const argument = child.getArgumentEntry(0);
  return argument ? { kind: 'value', value: argument.getValue(), at: argument } : { kind: 'bare', at: child };
}

/** kdl_get_string_property_or_child_value: no error, just the string if there is one. */
function looseString(node: Node, name: string): string | undefined {
  const found = lookup(node, name);
  return found?.kind === 'value' && typeof found.value === 'string' ? found.value : undefined;
}

/** kdl_get_bool_property_or_child_value: no error, just the boolean if there is one. */
function looseBool(node: Node, name: string): boolean | undefined {
  const found = lookup(node, name);
  return found?.kind === 'value' && typeof found.value === 'boolean' ? found.value : undefined;
}

function display(value: KdlValue): string {
  return typeof value === 'string' ? kdlString(value) : String(value);
}

function isInteger(value: KdlValue): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Rust's `usize::from_str`: optional `+`, ASCII digits. */
function parseUnsigned(s: string): number | undefined {
  return /^\+?[0-9]+$/.test(s) ? Number(s) : undefined;
}

function lineOf(at: Node | Entry | undefined): number | undefined {
  return at ? getLocation(at)?.start.line : undefined;
}

// ---------------------------------------------------------------------------------------------------

type RunKind = 'none' | 'cwd' | 'command' | 'edit' | 'plugin';

interface PaneTemplate {
  kind: 'tiled' | 'floating' | 'either';
  /** The template itself has a command, edit, cwd or plugin (zellij's `pane_template.run`). */
  hasRun: boolean;
  stacked: boolean;
  childrenBlocks: number;
}

interface TabTemplate {
  childrenBlocks: number;
}

class LayoutChecker {
  private readonly problems: LayoutProblem[] = [];
  private readonly paneTemplates = new Map<string, PaneTemplate>();
  private readonly tabTemplates = new Map<string, TabTemplate>();
  private defaultTabTemplate: TabTemplate | undefined;
  private focusedTabs = 0;

  constructor(private readonly env: Record<string, string | undefined> | undefined) {}

  check(doc: Document): LayoutProblem[] {
    const layout = this.checkDocumentNodes(doc);
    if (layout?.children) {
      const children = layout.children.nodes;
      this.checkPath(layout, 'cwd');
      this.splitDirection(layout);
      this.collectPaneTemplates(children);
      this.collectTabTemplates(children);
      this.checkSwapTiledLayouts(children);
      this.checkSwapFloatingLayouts(children);
      this.checkLayoutChildren(layout, children);
    }
    return this.sortedProblems();
  }

  private report(at: Node | Entry | undefined, message: string): void {
    this.problems.push({ line: lineOf(at), message });
  }

  private sortedProblems(): LayoutProblem[] {
    const seen = new Set<string>();
    const unique = this.problems.filter((p) => {
      const key = `${p.line}:${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return unique.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  }

  // -- the file ----------------------------------------------------------------------------------------

  /** "No layout found", "This node should be inside the main "layout" node", "Only one layout node per
   *  file allowed". */
  private checkDocumentNodes(doc: Document): Node | undefined {
    const layouts = doc.nodes.filter((n) => n.getName() === 'layout');
    if (layouts.length === 0) {
      this.report(undefined, 'No layout found');
      return undefined;
    }
    for (const node of doc.nodes) {
      if (node.getName() !== 'layout' && RESERVED_WORDS.has(node.getName())) {
        this.report(node, 'This node should be inside the main "layout" node');
      }
    }
    if (layouts.length > 1) this.report(layouts[1], 'Only one layout node per file allowed');
    return layouts[0];
  }

  /** Take in the templates of a main layout without reporting its problems (they are its own). */
  learnTemplates(doc: Document): void {
    const children = doc.nodes.find((n) => n.getName() === 'layout')?.children?.nodes ?? [];
    this.collectPaneTemplates(children);
    this.collectTabTemplates(children);
    this.problems.length = 0;
  }

  /** parse_external_swap_layouts: "Swap layouts should not have their own layout node", "Swap layouts
   *  should not contain bare nodes of type: X", then the templates and swap layouts as in a layout. */
  checkSwapFile(doc: Document): LayoutProblem[] {
    const allowed = ['swap_tiled_layout', 'swap_floating_layout', 'tab_template', 'pane_template'];
    for (const node of doc.nodes) {
      const name = node.getName();
      if (allowed.includes(name)) continue;
      if (name === 'layout') {
        this.report(node, 'Swap layouts should not have their own layout node');
      } else if (RESERVED_WORDS.has(name)) {
        this.report(node, `Swap layouts should not contain bare nodes of type: ${name}`);
      }
    }
    this.collectPaneTemplates(doc.nodes);
    this.collectTabTemplates(doc.nodes);
    this.checkSwapTiledLayouts(doc.nodes);
    this.checkSwapFloatingLayouts(doc.nodes);
    return this.sortedProblems();
  }

  // -- typed values (the *_with_error macros) ----------------------------------------------------------

  /** "X should be a string, found Y - not a string" / "X must have a value, eg. 'X "foo"'". */
  private stringValue(node: Node, name: string): string | undefined {
    const found = lookup(node, name);
    if (!found) return undefined;
    if (found.kind === 'bare') {
      this.report(found.at, `${name} must have a value, eg. '${name} "foo"'`);
    } else if (typeof found.value !== 'string') {
      this.report(found.at, `${name} should be a string, found ${display(found.value)} - not a string`);
    } else {
      return found.value;
    }
    return undefined;
  }

  /** "X should be either true or false, found Y" / "X must have a value, eg. 'X true'". */
  private boolValue(node: Node, name: string): boolean | undefined {
    const found = lookup(node, name);
    if (!found) return undefined;
    if (found.kind === 'bare') {
      this.report(found.at, `${name} must have a value, eg. '${name} true'`);
    } else if (typeof found.value !== 'boolean') {
      this.report(found.at, `${name} should be either true or false, found ${display(found.value)}`);
    } else {
      return found.value;
    }
    return undefined;
  }

  /** parse_path: a string that goes through shellexpand ("error looking key 'X' up: …"). */
  private checkPath(node: Node, name: string): string | undefined {
    const value = this.stringValue(node, name);
    if (value !== undefined && this.env) {
      const missing = firstUndefinedVariable(value, this.env);
      if (missing !== undefined) {
        this.report(node, `error looking key '${missing}' up: environment variable not found`);
      }
    }
    return value;
  }

  /** "size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")", "… greater than 0". */
  private checkSize(node: Node): boolean {
    const found = lookup(node, 'size');
    if (!found) return false;
    const wrongShape = 'size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")';
    if (found.kind === 'bare') {
      this.report(found.at, `size cannot be bare, it should have a value (eg. 'size 1', or 'size "50%"')`);
    } else if (typeof found.value === 'string') {
      const percent = found.value.endsWith('%') ? parseUnsigned(found.value.slice(0, -1)) : undefined;
      const valid = found.value.endsWith('%')
        ? percent !== undefined && percent >= 1 && percent <= 100
        : parseUnsigned(found.value) !== undefined;
      if (!valid) this.report(node, wrongShape);
    } else if (isInteger(found.value)) {
      if (found.value <= 0) this.report(node, 'size should be greater than 0');
    } else {
      this.report(found.at, wrongShape);
    }
    return true;
  }

  /** parse_percent_or_fixed for floating panes: "X should be a fixed number … or a quoted percent". */
  private checkPercentOrFixed(node: Node, name: string, canBeZero: boolean): boolean {
    const found = lookup(node, name);
    if (!found) return false;
    let amount: number | undefined;
    if (found.kind === 'value' && typeof found.value === 'string') {
      const text = found.value.endsWith('%') ? found.value.slice(0, -1) : found.value;
      amount = parseUnsigned(text);
      if (amount !== undefined && found.value.endsWith('%') && amount > 100) amount = undefined;
    } else if (found.kind === 'value' && isInteger(found.value) && found.value >= 0) {
      amount = found.value;
    }
    if (amount === undefined) {
      this.report(found.at, `${name} should be a fixed number (eg. 1) or a quoted percent (eg. "50%")`);
    } else if (amount === 0 && !canBeZero) {
      this.report(node, `${name} should be greater than 0`);
    }
    return true;
  }

  /** "split_direction should be either "horizontal" or "vertical" found: X" (capitalised is accepted). */
  private splitDirection(node: Node): 'horizontal' | 'vertical' {
    const value = this.stringValue(node, 'split_direction');
    if (value === undefined) return 'horizontal';
    if (value === 'vertical' || value === 'Vertical') return 'vertical';
    if (value !== 'horizontal' && value !== 'Horizontal') {
      this.report(node, `split_direction should be either "horizontal" or "vertical" found: ${value}`);
    }
    return 'horizontal';
  }

  // -- command, edit, cwd, args, plugin ----------------------------------------------------------------

  /** "args cannot be empty …", "Not a string"; an `args=` property is dropped by zellij, so report it. */
  private checkArgs(node: Node): boolean {
    const property = node.getPropertyEntry('args');
    if (property) {
      this.report(property, 'args must be a child node with one or more strings (eg. args "-h" "-v")');
    }
    const args = firstChild(node, 'args');
    if (!args) return false;
    if (args.entries.length === 0) {
      this.report(
        args,
        'args cannot be empty and should contain one or more command arguments (eg. args "-h" "-v")',
      );
    }
    for (const entry of args.entries) {
      if (typeof entry.getValue() !== 'string') this.report(entry, 'Not a string');
    }
    return true;
  }

  /** "close_on_exit/start_suspended/args can only be set if a command was specified". */
  private checkNoBareAttributes(node: Node, hasCommand: boolean, flags: BareAttributes): void {
    if (hasCommand) return;
    const bare = firstSet(flags, ['close_on_exit', 'start_suspended', 'args']);
    if (bare) this.report(node, `${bare} can only be set if a command was specified`);
  }

  /** parse_command_plugin_or_edit_block: "cannot have both a command and an edit instruction …",
   *  "Cannot have both a command/edit and a plugin block for a single pane", "Plugins must have a location". */
  private run(node: Node, isTemplateConsumer: boolean): { kind: RunKind; bare: BareAttributes } {
    const command = this.checkPath(node, 'command');
    const edit = this.checkPath(node, 'edit');
    const cwd = this.checkPath(node, 'cwd');
    const bare: BareAttributes = {
      args: this.checkArgs(node),
      close_on_exit: this.boolValue(node, 'close_on_exit') !== undefined,
      start_suspended: this.boolValue(node, 'start_suspended') !== undefined,
    };
    if (!isTemplateConsumer) this.checkNoBareAttributes(node, command !== undefined, bare);
    let kind: RunKind =
      command !== undefined ? 'command' : edit !== undefined ? 'edit' : cwd !== undefined ? 'cwd' : 'none';
    if (command !== undefined && edit !== undefined) {
      this.report(node, 'cannot have both a command and an edit instruction for the same pane');
    }
    const plugin = firstChild(node, 'plugin');
    if (plugin) {
      if (kind === 'command' || kind === 'edit') {
        this.report(plugin, 'Cannot have both a command/edit and a plugin block for a single pane');
      }
      if (this.stringValue(plugin, 'location') === undefined) {
        this.report(plugin, 'Plugins must have a location');
      }
      kind = 'plugin';
    }
    return { kind, bare };
  }

  // -- panes ---------------------------------------------------------------------------------------------

  /** "Unknown pane property: X" (entries on the pane's own line). */
  private checkEntries(node: Node, allowed: (name: string) => boolean, what: string): void {
    for (const entry of node.entries) {
      const name = entry.getName() ?? entry.getValue();
      if (typeof name !== 'string') this.report(entry, `Unknown ${what}`);
      else if (!allowed(name)) this.report(entry, `Unknown ${what}: ${name}`);
    }
  }

  private hasChildPanes(node: Node, alsoTabs: boolean): boolean {
    return childNodes(node).some((c) => {
      const name = c.getName();
      return (
        name === 'pane' || name === 'children' || (alsoTabs && name === 'tab') || this.paneTemplates.has(name)
      );
    });
  }

  /** "Cannot have both properties (borderless, command/edit/plugin, cwd) and nested children". */
  private checkNoMixedChildrenAndProperties(node: Node, run: RunKind): void {
    if (!this.hasChildPanes(node, true)) return;
    const offending: string[] = [];
    if (looseBool(node, 'borderless') !== undefined) offending.push('borderless');
    if (run === 'command' || run === 'edit' || run === 'plugin') offending.push('command/edit/plugin');
    if (looseString(node, 'cwd') !== undefined) offending.push('cwd');
    if (offending.length > 0) {
      this.report(node, `Cannot have both properties (${offending.join(', ')}) and nested children`);
    }
  }

  /** "Stacked panes cannot have children" (a pane inside a stack holds panes itself). */
  private checkNoGrandchildrenInStack(children: Node[], isPartOfStack: boolean): void {
    if (!isPartOfStack) return;
    for (const child of children) {
      if (child.getName() === 'pane' || this.paneTemplates.has(child.getName())) {
        this.report(child, 'Stacked panes cannot have children');
      }
    }
  }

  /** "Invalid `children` properties: …" (a `children` placeholder must be bare). */
  private checkBareChildrenNode(child: Node): void {
    const inner = childNodes(child).map((g) => g.getName());
    if (inner.length > 0) this.report(child, `Invalid \`children\` properties: ${inner.join(', ')}`);
  }

  /** parse_child_pane_nodes_for_pane: "Unknown pane property: X" for any other child node. */
  private paneChildren(children: Node[], stacked: boolean): { panes: number; hasChildrenBlock: boolean } {
    let panes = 0;
    let hasChildrenBlock = false;
    for (const child of children) {
      const name = child.getName();
      const template = this.paneTemplates.get(name);
      if (name === 'pane') {
        this.tiledPane(child, stacked);
        panes++;
      } else if (name === 'children') {
        this.checkBareChildrenNode(child);
        hasChildrenBlock = true;
      } else if (template) {
        this.tiledPaneFromTemplate(child, name, template, false);
        panes++;
      } else if (!PANE_PROPERTIES.has(name)) {
        this.report(child, `Unknown pane property: ${name}`);
      }
    }
    return { panes, hasChildrenBlock };
  }

  /** parse_pane_node: a tiled `pane`. */
  private tiledPane(node: Node, isPartOfStack: boolean): void {
    this.checkEntries(node, (n) => PANE_PROPERTIES.has(n), 'pane property');
    const stacked = this.boolValue(node, 'stacked') ?? false;
    const expanded = this.boolValue(node, 'expanded') ?? false;
    for (const flag of ['borderless', 'focus', 'exclude_from_sync']) this.boolValue(node, flag);
    for (const text of ['name', 'contents_file']) this.stringValue(node, text);
    this.checkSize(node);
    const run = this.run(node, false);
    const direction = this.splitDirection(node);
    let content = { panes: 0, hasChildrenBlock: false };
    if (node.children) {
      this.checkNoGrandchildrenInStack(node.children.nodes, isPartOfStack);
      content = this.paneChildren(node.children.nodes, stacked);
    }
    this.checkStack(node, { stacked, expanded, isPartOfStack, direction, ...content });
    this.checkNoMixedChildrenAndProperties(node, run.kind);
  }

  /** "A stacked pane must have children nodes …", "Stacked panes cannot be vertical",
   *  "An expanded pane must be part of a stack". */
  private checkStack(node: Node, s: StackFacts): void {
    if (s.stacked && !s.hasChildrenBlock && s.panes === 0) {
      this.report(
        node,
        'A stacked pane must have children nodes or possibly a "children" node if in a swap_layout',
      );
    } else if (s.stacked && s.direction === 'vertical') {
      this.report(node, 'Stacked panes cannot be vertical');
    } else if (s.expanded && !s.isPartOfStack) {
      this.report(node, 'An expanded pane must be part of a stack');
    }
  }

  /** "args/close_on_exit/start_suspended can only be specified if a command was specified either in
   *  the pane_template or in the pane". */
  private checkNoBareAttributesWithTemplate(node: Node, hasRun: boolean, bare: BareAttributes): void {
    if (hasRun) return;
    const which = firstSet(bare, ['args', 'close_on_exit', 'start_suspended']);
    if (which) {
      this.report(
        node,
        `${which} can only be specified if a command was specified either in the pane_template or in the pane`,
      );
    }
  }

  /** "This template has N children blocks, only 1 is allowed when used to insert child panes". */
  private checkOneChildrenBlock(consumer: Node, childrenBlocks: number): void {
    if (childrenBlocks !== 1) {
      this.report(
        consumer,
        `This template has ${childrenBlocks} children blocks, only 1 is allowed when used to insert child panes`,
      );
    }
  }

  /** parse_pane_node_with_template: a node named after a pane_template, used as a tiled pane. */
  private tiledPaneFromTemplate(
    node: Node,
    name: string,
    template: PaneTemplate,
    markChildren: boolean,
  ): void {
    if (template.kind === 'floating') {
      this.report(
        node,
        `pane_template ${name}, is a floating pane template (derived from its properties) and cannot be applied to a tiled pane`,
      );
      return;
    }
    for (const flag of ['borderless', 'focus', 'stacked', 'expanded', 'exclude_from_sync']) {
      this.boolValue(node, flag);
    }
    this.stringValue(node, 'name');
    this.checkSize(node);
    const run = this.run(node, true);
    const childrenNode = markChildren ? firstChild(node, 'children') : undefined;
    if (childrenNode) this.checkBareChildrenNode(childrenNode);
    this.checkNoBareAttributesWithTemplate(node, run.kind !== 'none' || template.hasRun, run.bare);
    this.splitDirection(node);
    if (node.children) {
      const stacked = looseBool(node, 'stacked') ?? template.stacked;
      const { panes } = this.paneChildren(node.children.nodes, stacked);
      if (panes > 0) this.checkOneChildrenBlock(node, template.childrenBlocks);
    }
  }

  /** parse_floating_pane_node: "Unknown floating pane property: X", sizes and positions. */
  private floatingPane(node: Node): void {
    this.checkEntries(node, (n) => FLOATING_PANE_PROPERTIES.has(n), 'floating pane property');
    this.checkFloatingGeometry(node);
    const run = this.run(node, false);
    this.boolValue(node, 'focus');
    this.stringValue(node, 'name');
    this.stringValue(node, 'contents_file');
    this.checkNoMixedChildrenAndProperties(node, run.kind);
  }

  private checkFloatingGeometry(node: Node): void {
    this.checkPercentOrFixed(node, 'height', false);
    this.checkPercentOrFixed(node, 'width', false);
    this.checkPercentOrFixed(node, 'x', true);
    this.checkPercentOrFixed(node, 'y', true);
    this.boolValue(node, 'pinned');
  }

  /** parse_floating_pane_node_with_template: "pane_template X, is a non-floating pane template …". */
  private floatingPaneFromTemplate(node: Node, name: string, template: PaneTemplate): void {
    if (template.kind === 'tiled') {
      this.report(
        node,
        `pane_template ${name}, is a non-floating pane template (derived from its properties) and cannot be applied to a floating pane`,
      );
      return;
    }
    this.boolValue(node, 'focus');
    this.stringValue(node, 'name');
    const run = this.run(node, true);
    this.checkNoBareAttributesWithTemplate(node, run.kind !== 'none' || template.hasRun, run.bare);
    this.checkFloatingGeometry(node);
  }

  /** populate_floating_pane_children: "floating_panes can only contain pane nodes, found: X". */
  private floatingPanes(node: Node): void {
    for (const child of childNodes(node)) {
      const name = child.getName();
      const template = this.paneTemplates.get(name);
      if (name === 'pane') this.floatingPane(child);
      else if (template) this.floatingPaneFromTemplate(child, name, template);
      else this.report(child, `floating_panes can only contain pane nodes, found: ${name}`);
    }
  }

  // -- templates -------------------------------------------------------------------------------------------

  /** "Node names (X) cannot contain whitespace.", "Node name 'X' is a reserved word.",
   *  "Template names cannot be empty / contain parantheses / start with numbers" (sic). */
  private checkTemplateName(node: Node, name: string): void {
    const rules: [broken: boolean, message: string][] = [
      [/\s/u.test(name), `Node names (${name}) cannot contain whitespace.`],
      [RESERVED_WORDS.has(name), `Node name '${name}' is a reserved word.`],
      [name === '', 'Template names cannot be empty'],
      [/[()]/.test(name), 'Template names cannot contain parantheses'],
      [/^\p{N}/u.test(name), 'Template names cannot start with numbers'],
    ];
    const problem = rules.find(([broken]) => broken)?.[1];
    if (problem) this.report(node, problem);
  }

  /** How many `children` placeholders a template holds, nested panes included (children_block_count). */
  private countChildrenBlocks(node: Node): number {
    let count = 0;
    for (const child of childNodes(node)) {
      if (child.getName() === 'children') count++;
      else if (child.getName() === 'pane') count += this.countChildrenBlocks(child);
    }
    return count;
  }

  /** "Pane templates must have a name", "Duplicate definition of the "X" pane_template",
   *  "Circular dependency detected between pane templates." */
  private collectPaneTemplates(layoutChildren: Node[]): void {
    const nodes = layoutChildren.filter((c) => c.getName() === 'pane_template');
    const dependencies = new Map<string, Set<string>>();
    const named: [Node, string][] = [];
    for (const node of nodes) {
      const name = looseString(node, 'name');
      if (name === undefined) {
        this.report(node, 'Pane templates must have a name');
      } else if (dependencies.has(name)) {
        this.report(node, `Duplicate definition of the "${name}" pane_template`);
      } else {
        dependencies.set(name, templateDependencies(node));
        named.push([node, name]);
      }
    }
    // Zellij reads the templates in dependency order, so a template's body only meets templates that
    // are already complete. With a cycle that order does not exist; read them as written then.
    const order = topologicalOrder(dependencies);
    if (!order) {
      this.report(nodes[0], 'Circular dependency detected between pane templates.');
      for (const [, name] of named) {
        this.paneTemplates.set(name, { kind: 'either', hasRun: true, stacked: false, childrenBlocks: 1 });
      }
    }
    const byName = new Map(named.map(([node, name]) => [name, node]));
    for (const name of order ?? named.map(([, n]) => n)) {
      const node = byName.get(name);
      if (node) this.paneTemplates.set(name, this.paneTemplate(node, name));
    }
  }

  /** parse_pane_template_node: "A pane_template cannot have both pane (…) and floating pane (…) properties". */
  private paneTemplate(node: Node, name: string): PaneTemplate {
    this.checkTemplateName(node, name);
    this.boolValue(node, 'focus');
    const run = this.run(node, false);
    const stacked = this.boolValue(node, 'stacked');
    const paneProperties = [
      this.boolValue(node, 'borderless') !== undefined && 'borderless',
      stacked !== undefined && 'stacked',
      this.boolValue(node, 'expanded') !== undefined && 'expanded',
      this.checkSize(node) && 'split_size',
      this.stringValue(node, 'split_direction') !== undefined && 'split_direction',
      this.hasChildPanes(node, false) && 'child nodes',
    ].filter((p) => p !== false);
    const floatingProperties = ['height', 'width', 'x', 'y', 'pinned'].filter(
      (p) => lookup(node, p) !== undefined,
    );
    const facts = { hasRun: run.kind !== 'none', stacked: stacked ?? false, childrenBlocks: 0 };
    if (paneProperties.length > 0 && floatingProperties.length > 0) {
      this.report(
        node,
        `A pane_template cannot have both pane (${paneProperties.join(', ')}) and floating pane (${floatingProperties.join(', ')}) properties`,
      );
      return { kind: 'either', ...facts };
    }
    if (floatingProperties.length > 0) {
      this.checkEntries(node, (n) => FLOATING_PANE_PROPERTIES.has(n), 'floating pane property');
      this.checkFloatingGeometry(node);
      return { kind: 'floating', ...facts };
    }
    if (paneProperties.length === 0) {
      const either = (n: string) => FLOATING_PANE_PROPERTIES.has(n) && PANE_PROPERTIES.has(n);
      this.checkEntries(node, either, 'pane property');
      return { kind: 'either', ...facts };
    }
    this.checkEntries(node, (n) => PANE_PROPERTIES.has(n), 'pane property');
    this.splitDirection(node);
    this.paneChildren(childNodes(node), facts.stacked);
    this.checkNoMixedChildrenAndProperties(node, run.kind);
    return { kind: 'tiled', ...facts, childrenBlocks: this.countChildrenBlocks(node) };
  }

  /** "Tab templates must have a name", "Duplicate definition of the "X" tab_template",
   *  "There is already a pane_template with the name "X" - can't have a tab_template with the same name". */
  private collectTabTemplates(layoutChildren: Node[]): void {
    for (const node of layoutChildren) {
      const kind = node.getName();
      if (kind === 'default_tab_template') {
        this.defaultTabTemplate = this.tabTemplate(node);
      } else if (kind === 'new_tab_template') {
        this.tab(node);
      } else if (kind === 'tab_template') {
        const name = this.stringValue(node, 'name');
        if (name === undefined) {
          this.report(node, 'Tab templates must have a name');
          continue;
        }
        this.checkTemplateName(node, name);
        if (this.tabTemplates.has(name)) {
          this.report(node, `Duplicate definition of the "${name}" tab_template`);
        } else if (this.paneTemplates.has(name)) {
          this.report(
            node,
            `There is already a pane_template with the name "${name}" - can't have a tab_template with the same name`,
          );
        }
        this.tabTemplates.set(name, this.tabTemplate(node));
      }
    }
  }

  /** parse_tab_template_node: "The `children` node must be bare…", "Tab property 'X' must be placed on
   *  the tab_template title line…", "Invalid tab_template property: X". */
  private tabTemplate(node: Node): TabTemplate {
    this.checkTabProperties(node);
    this.splitDirection(node);
    for (const child of childNodes(node)) {
      const name = child.getName();
      const template = this.paneTemplates.get(name);
      if (name === 'pane') {
        this.tiledPane(child, false);
      } else if (name === 'children') {
        if (child.entries.length > 0 || childNodes(child).length > 0) {
          this.report(
            child,
            'The `children` node must be bare. All properties should be places on the node consuming this template.',
          );
        }
      } else if (template) {
        this.tiledPaneFromTemplate(child, name, template, false);
      } else if (name === 'floating_panes') {
        this.floatingPanes(child);
      } else if (TAB_PROPERTIES.has(name)) {
        this.report(
          child,
          `Tab property '${name}' must be placed on the tab_template title line and not in the child braces`,
        );
      } else {
        this.report(child, `Invalid tab_template property: ${name}`);
      }
    }
    return { childrenBlocks: this.countChildrenBlocks(node) };
  }

  // -- tabs --------------------------------------------------------------------------------------------------

  /** "Invalid tab property 'X'" (only properties on the title line are checked). */
  private checkTabProperties(node: Node): void {
    for (const entry of node.getPropertyEntries()) {
      const name = entry.getName() ?? '';
      if (!TAB_PROPERTIES.has(name)) this.report(node, `Invalid tab property '${name}'`);
    }
  }

  /** parse_child_pane_nodes_for_tab: "Tab property 'X' must be placed on the tab title line and not in
   *  the child braces", "Invalid tab property: X". */
  private tabChildren(children: Node[], markChildren: boolean): void {
    for (const child of children) {
      const name = child.getName();
      const template = this.paneTemplates.get(name);
      if (name === 'pane') this.tiledPane(child, false);
      else if (template) this.tiledPaneFromTemplate(child, name, template, markChildren);
      else if (name === 'floating_panes') this.floatingPanes(child);
      else if (TAB_PROPERTIES.has(name)) {
        this.report(
          child,
          `Tab property '${name}' must be placed on the tab title line and not in the child braces`,
        );
      } else this.report(child, `Invalid tab property: ${name}`);
    }
  }

  /** parse_tab_node: a `tab` without a template (or `new_tab_template`). */
  private tab(node: Node, markChildren = false): void {
    this.checkTabProperties(node);
    this.checkPath(node, 'cwd');
    this.splitDirection(node);
    this.tabChildren(childNodes(node), markChildren);
  }

  /** parse_tab_node_with_template: a `tab` under default_tab_template, or a node named after a tab_template. */
  private tabFromTemplate(node: Node, template: TabTemplate, markChildren = false): void {
    this.checkPath(node, 'cwd');
    this.splitDirection(node);
    if (node.children) {
      this.tabChildren(node.children.nodes, markChildren);
      this.checkOneChildrenBlock(node, template.childrenBlocks);
    }
  }

  /** A tab at the top of `layout`: counts focus for "Only one tab can be focused". */
  private topLevelTab(node: Node, template: TabTemplate | undefined): void {
    if (looseBool(node, 'focus') === true) {
      this.focusedTabs++;
      if (this.focusedTabs === 2) this.report(node, 'Only one tab can be focused');
    }
    if (template) this.tabFromTemplate(node, template);
    else this.tab(node);
  }

  // -- swap layouts ----------------------------------------------------------------------------------------

  /** parse_constraint: "max_panes should be a fixed number (eg. 1) and not a quoted string ("X")",
   *  "cannot have more than one constraint (eg. max_panes + min_panes)'" (sic). */
  private checkConstraint(node: Node): void {
    let constraints = 0;
    for (const name of ['max_panes', 'min_panes', 'exact_panes']) {
      const found = lookup(node, name);
      if (found?.kind !== 'value') continue;
      if (typeof found.value === 'string') {
        this.report(
          node,
          `${name} should be a fixed number (eg. 1) and not a quoted string ("${found.value}")`,
        );
      } else if (isInteger(found.value)) {
        constraints++;
      }
    }
    if (constraints > 1)
      this.report(node, "cannot have more than one constraint (eg. max_panes + min_panes)'");
  }

  /** populate_swap_tiled_layouts: "Unknown layout node: 'X'" for anything but tabs. */
  private checkSwapTiledLayouts(layoutChildren: Node[]): void {
    for (const group of layoutChildren.filter((c) => c.getName() === 'swap_tiled_layout')) {
      for (const node of childNodes(group)) {
        const name = node.getName();
        const template = name === 'tab' ? this.defaultTabTemplate : this.tabTemplates.get(name);
        if (name !== 'tab' && !template) {
          this.report(node, `Unknown layout node: '${name}'`);
          continue;
        }
        this.checkConstraint(node);
        if (template) this.tabFromTemplate(node, template, true);
        else this.tab(node, true);
      }
    }
  }

  /** populate_swap_floating_layouts: "Unknown layout node: 'X'" for anything but floating_panes. */
  private checkSwapFloatingLayouts(layoutChildren: Node[]): void {
    for (const group of layoutChildren.filter((c) => c.getName() === 'swap_floating_layout')) {
      for (const node of childNodes(group)) {
        const name = node.getName();
        const template = this.tabTemplates.get(name);
        if (name === 'floating_panes') {
          this.checkConstraint(node);
          this.checkTabProperties(node);
          this.floatingPanes(node);
        } else if (template) {
          this.checkConstraint(node);
          this.tabFromTemplate(node, template);
        } else {
          this.report(node, `Unknown layout node: '${name}'`);
        }
      }
    }
  }

  // -- the children of `layout` ------------------------------------------------------------------------------

  /** populate_layout_child: "Cannot have both tabs and panes in the same node", "Unknown layout node: 'X'". */
  private checkLayoutChildren(layout: Node, children: Node[]): void {
    let tabs = 0;
    let panes = 0;
    let floating = 0;
    const mixed = (node: Node) => this.report(node, 'Cannot have both tabs and panes in the same node');
    for (const child of children) {
      const name = child.getName();
      const tabTemplate = this.tabTemplates.get(name);
      const paneTemplate = this.paneTemplates.get(name);
      if (name === 'pane' || name === 'floating_panes') {
        if (tabs > 0) mixed(child);
        if (name === 'pane') {
          panes++;
          this.tiledPane(child, false);
        } else {
          floating++;
          this.floatingPanes(child);
        }
      } else if (name === 'tab' || tabTemplate) {
        if (panes > 0 || (name === 'tab' && floating > 0)) mixed(child);
        tabs++;
        this.topLevelTab(child, name === 'tab' ? this.defaultTabTemplate : tabTemplate);
      } else if (paneTemplate) {
        if (tabs > 0) mixed(child);
        panes++;
        this.tiledPaneFromTemplate(child, name, paneTemplate, false);
      } else if (!RESERVED_WORDS.has(name)) {
        this.report(child, `Unknown layout node: '${name}'`);
      }
    }
    if (tabs > 0) this.checkLayoutTabProperties(layout);
  }

  /** 0.44.1+: "The 'X' property on the layout node cannot be used when there are explicit tab nodes". */
  private checkLayoutTabProperties(layout: Node): void {
    for (const name of LAYOUT_TAB_PROPERTIES) {
      const entry = layout.getPropertyEntry(name);
      if (entry) {
        this.report(
          entry,
          `The '${name}' property on the layout node (a tab property) cannot be used when there are explicit tab nodes`,
        );
      }
    }
  }
}

/** Which of the attributes that need a command a pane sets. */
interface BareAttributes {
  args: boolean;
  close_on_exit: boolean;
  start_suspended: boolean;
}

/** The first attribute set, in the order zellij checks them. */
function firstSet(bare: BareAttributes, order: (keyof BareAttributes)[]): string | undefined {
  return order.find((name) => bare[name]);
}

interface StackFacts {
  stacked: boolean;
  expanded: boolean;
  isPartOfStack: boolean;
  direction: 'horizontal' | 'vertical';
  panes: number;
  hasChildrenBlock: boolean;
}

/** get_pane_template_dependencies: every non-reserved node name used inside the template, at any depth. */
function templateDependencies(node: Node, into = new Set<string>()): Set<string> {
  for (const child of childNodes(node)) {
    const name = child.getName();
    if (name === 'pane') {
      templateDependencies(child, into);
    } else if (!RESERVED_WORDS.has(name)) {
      into.add(name);
      templateDependencies(child, into);
    }
  }
  return into;
}

/** Kahn's algorithm over the templates that exist, as zellij's toposort; undefined on a cycle. */
function topologicalOrder(dependencies: Map<string, Set<string>>): string[] | undefined {
  const remaining = new Map(
    [...dependencies].map(([name, deps]) => [name, new Set([...deps].filter((d) => dependencies.has(d)))]),
  );
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) return undefined;
    for (const name of ready) {
      remaining.delete(name);
      for (const deps of remaining.values()) deps.delete(name);
      order.push(name);
    }
  }
  return order;
}

/**
 * The first variable that shellexpand (`shellexpand::full`, as zellij calls it) would fail to find:
 * `$$` is a literal `$`, `$NAME` and `${NAME}` must be defined, `${NAME:-default}` never fails, and a
 * `$` before any other character is literal.
 */
export function firstUndefinedVariable(
  value: string,
  env: Record<string, string | undefined>,
): string | undefined {
  const pattern = /\$(?:\$|\{([^}]*)\}|([A-Za-z0-9_]+))/g;
  for (const match of value.matchAll(pattern)) {
    const braced = match[1];
    const plain = match[2];
    if (braced !== undefined) {
      if (!braced.includes(':-') && env[braced] === undefined) return braced;
    } else if (plain !== undefined && env[plain] === undefined) {
      return plain;
    }
  }
  return undefined;
}
