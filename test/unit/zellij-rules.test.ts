import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkZellijLayout,
  checkZellijSwapLayout,
  firstUndefinedVariable,
  type LayoutProblem,
} from '../../src/core/zellij-rules.js';

function problemsOf(text: string): LayoutProblem[] {
  const result = checkZellijLayout(text);
  return result.ok ? [] : result.problems;
}

function kdlFilesIn(root: string, folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.kdl'))
    .map((f) => path.join(folder, f))
    .sort();
}

// ---------------------------------------------------------------------------------------------------
// The project's own fixtures (test/fixtures/zellij), written for git-parallel: every rule's message is
// zellij's (kdl_layout_parser.rs), each invalid file says in its header what zellij answers.

const own = path.resolve(import.meta.dirname, '../fixtures/zellij');
const readOwn = (file: string) => readFileSync(path.join(own, file), 'utf8');

/** `// expect: <fragment>` lines (all must be in one problem) and an optional `// line: N`. */
function expectationsOf(text: string): { fragments: string[]; line: number | undefined; syntax: boolean } {
  const header = text.split('\n').filter((l) => l.startsWith('// '));
  const fragments = header
    .filter((l) => l.startsWith('// expect: '))
    .map((l) => l.slice('// expect: '.length));
  const line = header.find((l) => l.startsWith('// line: '));
  const syntax = fragments.length === 1 && fragments[0] === 'a KDL syntax error';
  return { fragments: syntax ? [] : fragments, line: line ? Number(line.slice(9)) : undefined, syntax };
}

describe('checkZellijLayout on the project’s own fixtures', () => {
  const valid = kdlFilesIn(own, 'valid');
  const invalid = kdlFilesIn(own, 'invalid');

  it('has fixtures to check (a missing folder fails here, not silently)', () => {
    expect(valid.length).toBeGreaterThanOrEqual(13);
    expect(invalid.length).toBeGreaterThanOrEqual(32);
  });

  it.each(valid)('accepts %s', (file) => {
    expect(problemsOf(readOwn(file))).toEqual([]);
  });

  it.each(invalid)('rejects %s with zellij’s reason', (file) => {
    const text = readOwn(file);
    const { fragments, line, syntax } = expectationsOf(text);
    expect(syntax || fragments.length > 0, `${file} names no expected error`).toBe(true);
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    const matching = problems.filter((p) => fragments.every((f) => p.message.includes(f)));
    expect(matching, JSON.stringify(problems)).not.toEqual([]);
    if (line !== undefined) expect(matching.map((p) => p.line)).toContain(line);
  });

  it.each(kdlFilesIn(own, 'swap'))('accepts %s as a swap layout, and not as a main layout', (file) => {
    expect(checkZellijSwapLayout(readOwn(file))).toEqual({ ok: true });
    expect(problemsOf(readOwn(file))).toEqual([{ line: undefined, message: 'No layout found' }]);
  });

  it('checks $VAR in cwd and command only against a given environment', () => {
    const fromEnv = readOwn('env/cwd-from-env.kdl');
    const missing = readOwn('env/missing-var.kdl');
    expect(checkZellijLayout(fromEnv, { env: { GP_WORK: '/w', GP_TOOL: '/bin/true' } })).toEqual({
      ok: true,
    });
    expect(checkZellijLayout(fromEnv, { env: { GP_WORK: '/w' } })).toEqual({
      ok: false,
      problems: [{ line: 4, message: "error looking key 'GP_TOOL' up: environment variable not found" }],
    });
    expect(checkZellijLayout(missing, { env: {} })).toEqual({
      ok: false,
      problems: [
        { line: 3, message: "error looking key 'GP_SURELY_UNSET' up: environment variable not found" },
      ],
    });
    expect(checkZellijLayout(missing)).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------------------------------------------
// Conformance against zellij's own fixture files, which the project may not copy: they live beside the
// repository (../shared/fixtures/zellij-layouts, as CI has it) or where GP_ZELLIJ_LAYOUT_FIXTURES says.
// Absent, the run says so; named by the variable and absent, it fails.

const named = process.env.GP_ZELLIJ_LAYOUT_FIXTURES;
const fixtures = named ?? path.resolve(import.meta.dirname, '../../../shared/fixtures/zellij-layouts');
const conformance = existsSync(fixtures);

if (named !== undefined) {
  it('GP_ZELLIJ_LAYOUT_FIXTURES names a folder of zellij’s fixtures', () => {
    expect(existsSync(fixtures), `GP_ZELLIJ_LAYOUT_FIXTURES=${named} does not exist`).toBe(true);
  });
} else if (!conformance) {
  console.warn(
    `note: zellij's own layout fixtures are not at ${fixtures}: the conformance run against them is not done (set GP_ZELLIJ_LAYOUT_FIXTURES to their folder)`,
  );
}

function kdlFiles(folder: string): string[] {
  return kdlFilesIn(fixtures, folder);
}

function read(file: string): string {
  return readFileSync(path.join(fixtures, file), 'utf8');
}

/**
 * Every file in inline-invalid/ and the error zellij gives for it, from the fixtures README table.
 * A problem must contain every fragment listed.
 */
const EXPECTED_ERRORS: Record<string, string[]> = {
  circular_dependency_pane_templates_error: ['Circular dependency detected between pane templates.'],
  error_on_more_than_one_children_block_in_tab_template: [
    'This template has 2 children blocks, only 1 is allowed',
  ],
  error_on_more_than_one_children_block_in_pane_template: [
    'This template has 2 children blocks, only 1 is allowed',
  ],
  cannot_define_tab_template_name_with_space: ['Node names (', ') cannot contain whitespace.'],
  cannot_define_pane_template_name_with_space: ['Node names (', ') cannot contain whitespace.'],
  cannot_define_tab_template_names_as_keywords: ["Node name 'pane' is a reserved word."],
  cannot_define_pane_template_names_as_keywords: ["Node name 'pane' is a reserved word."],
  cannot_define_panes_and_tabs_on_same_level: ['Cannot have both tabs and panes in the same node'],
  error_on_multiple_layout_nodes_in_file: ['Only one layout node per file allowed'],
  error_on_unknown_layout_node: ["Unknown layout node: 'i_am_not_a_proper_node'"],
  error_on_unknown_layout_pane_property: ['Unknown pane property: spit_size'],
  error_on_unknown_layout_pane_template_property: ['Unknown pane property: spit_size'],
  error_on_unknown_layout_tab_property: ["Invalid tab property 'spit_size'"],
  error_on_unknown_layout_tab_template_property: ["Invalid tab property 'spit_size'"],
  error_on_pane_templates_without_a_name: ['Pane templates must have a name'],
  error_on_tab_templates_without_a_name: ['Tab templates must have a name'],
  error_on_more_than_one_focused_tab: ['Only one tab can be focused'],
  error_on_mixed_command_and_child_panes: [
    'Cannot have both properties (command/edit/plugin) and nested children',
  ],
  error_on_mixed_cwd_and_child_panes: ['Cannot have both properties (cwd) and nested children'],
  error_on_bare_args_without_command: ['args can only be set if a command was specified'],
  error_on_bare_args_in_template_without_command: [
    'args can only be specified if a command was specified either in the pane_template or in the pane',
  ],
  error_on_bare_close_on_exit_without_command: ['close_on_exit can only be set if a command was specified'],
  error_on_bare_close_on_exit_in_template_without_command: [
    'close_on_exit can only be specified if a command was specified either in the pane_template or in the pane',
  ],
  cannot_define_stacked_panes_for_bare_node: ['A stacked pane must have children nodes'],
  cannot_define_an_expanded_pane_outside_of_a_stack: ['An expanded pane must be part of a stack'],
  cannot_define_stacked_panes_with_vertical_split_direction: ['Stacked panes cannot be vertical'],
  cannot_define_stacked_panes_with_grandchildren: ['Stacked panes cannot have children'],
  cannot_define_stacked_panes_with_grandchildren_in_pane_template: ['Stacked panes cannot have children'],
  layout_node_with_name_and_explicit_tabs_errors: [
    "The 'name' property on the layout node",
    'cannot be used when there are explicit tab nodes',
  ],
  layout_node_with_split_direction_and_explicit_tabs_errors: [
    "The 'split_direction' property on the layout node",
    'cannot be used when there are explicit tab nodes',
  ],
  layout_node_with_hide_floating_panes_and_explicit_tabs_errors: [
    "The 'hide_floating_panes' property on the layout node",
    'cannot be used when there are explicit tab nodes',
  ],
};

const valid = conformance ? kdlFiles('valid') : [];
const inlineValid = conformance ? kdlFiles('inline-valid') : [];
const inlineInvalid = conformance ? kdlFiles('inline-invalid') : [];
const swapLayouts = conformance ? kdlFiles('swap-layouts') : [];
const envDependent = conformance ? kdlFiles('inline-env-dependent') : [];

if (conformance)
  describe('zellij’s own fixtures', () => {
    it('holds as many files as the fixtures README says (a missing folder fails here, not silently)', () => {
      expect(valid).toHaveLength(23);
      expect(swapLayouts).toHaveLength(5);
      expect(inlineValid).toHaveLength(72);
      expect(inlineInvalid).toHaveLength(31);
      expect(envDependent).toHaveLength(2);
      expect(
        valid.length + swapLayouts.length + inlineValid.length + inlineInvalid.length + envDependent.length,
      ).toBe(133);
    });

    it('has an expected error for exactly the files in inline-invalid/', () => {
      const names = inlineInvalid.map((f) => path.basename(f, '.kdl')).sort();
      expect(Object.keys(EXPECTED_ERRORS).sort()).toEqual(names);
    });
  });

if (conformance)
  describe('checkZellijLayout on zellij-valid layouts', () => {
    it.each([...valid, ...inlineValid])('accepts %s', (file) => {
      expect(problemsOf(read(file))).toEqual([]);
    });
  });

if (conformance)
  describe('checkZellijLayout on zellij-invalid layouts', () => {
    it.each(inlineInvalid)('rejects %s with zellij’s reason', (file) => {
      const fragments = EXPECTED_ERRORS[path.basename(file, '.kdl')] ?? [];
      const problems = problemsOf(read(file));
      expect(problems.length).toBeGreaterThan(0);
      const matching = problems.filter((p) => fragments.every((f) => p.message.includes(f)));
      expect(matching, JSON.stringify(problems)).not.toEqual([]);
    });

    it('puts the problem on the offending line', () => {
      expect(problemsOf(read('inline-invalid/error_on_unknown_layout_node.kdl'))).toEqual([
        { line: 3, message: "Unknown layout node: 'i_am_not_a_proper_node'" },
      ]);
      expect(problemsOf(read('inline-invalid/error_on_more_than_one_focused_tab.kdl'))).toEqual([
        { line: 3, message: 'Only one tab can be focused' },
      ]);
    });
  });

if (conformance)
  describe('swap layouts and environment-dependent layouts', () => {
    it.each(swapLayouts)('accepts %s as a swap layout, and not as a main layout', (file) => {
      // The derived swap file uses the tab_template of the layout it was written for.
      const main = path.basename(file) === 'can_load_swap_layouts_from_a_different_file.swap.kdl';
      const layout = main ? read('inline-valid/can_load_swap_layouts_from_a_different_file.kdl') : undefined;
      expect(checkZellijSwapLayout(read(file), { layout })).toEqual({ ok: true });
      expect(problemsOf(read(file))).toEqual([{ line: undefined, message: 'No layout found' }]);
    });

    it('checks $VAR in cwd, command and edit only against a given environment', () => {
      const expansion = read('inline-env-dependent/env_var_expansion.kdl');
      const missing = read('inline-env-dependent/env_var_missing.kdl');
      const env = {
        TEST_GLOBAL_CWD: '/g',
        TEST_LOCAL_CWD: '/l',
        TEST_RELATIVE: 'r',
        TEST_ABSOLUTE: '/a',
        HOME: '/h',
      };
      expect(checkZellijLayout(expansion, { env })).toEqual({ ok: true });
      expect(checkZellijLayout(missing, { env })).toEqual({
        ok: false,
        problems: [
          { line: 1, message: "error looking key 'SOME_UNIQUE_VALUE' up: environment variable not found" },
        ],
      });
      expect(checkZellijLayout(missing)).toEqual({ ok: true });
    });

    it('reads shellexpand escapes: $$ is a literal $, ${X:-d} has a default, a lone $ is literal', () => {
      expect(firstUndefinedVariable('/a/$$HOME/$$$$X/$ /$-', {})).toBeUndefined();
      expect(firstUndefinedVariable('${NOPE:-/tmp}', {})).toBeUndefined();
      expect(firstUndefinedVariable('/a/$$$HOME', {})).toBe('HOME');
      expect(firstUndefinedVariable('/a/${X}/b', { X: '1' })).toBeUndefined();
      expect(firstUndefinedVariable('/a/${Y}/b', {})).toBe('Y');
    });
  });

describe('checkZellijLayout on hand-written layouts', () => {
  const inLayout = (body: string) => `layout {\n${body}\n}\n`;

  it('reports KDL syntax errors with their line', () => {
    const result = checkZellijLayout('layout {\n    pane size=\n}\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.line).toBe(2);
  });

  it.each([
    ['pane size=0', 'size should be greater than 0'],
    ['pane size="0%"', 'size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")'],
    ['pane size="101%"', 'size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")'],
    ['pane size=1.5', 'size should be a fixed number (eg. 1) or a quoted percent (eg. "50%")'],
    [
      'pane split_direction="diagonal"',
      'split_direction should be either "horizontal" or "vertical" found: diagonal',
    ],
    ['pane command="a" edit="b"', 'cannot have both a command and an edit instruction for the same pane'],
    [
      'pane command="a" {\n plugin location="zellij:tab-bar"\n}',
      'Cannot have both a command/edit and a plugin block',
    ],
    ['pane {\n plugin\n}', 'Plugins must have a location'],
    ['pane command="a" {\n args\n}', 'args cannot be empty'],
    ['pane command="a" {\n args "x" 1\n}', 'Not a string'],
    ['pane command="a" args="x"', 'args must be a child node'],
    ['pane start_suspended=true', 'start_suspended can only be set if a command was specified'],
    ['pane borderless=true {\n pane\n}', 'Cannot have both properties (borderless) and nested children'],
    ['pane focus="yes"', 'focus should be either true or false, found "yes"'],
    ['pane name=1', 'name should be a string, found 1 - not a string'],
    [
      'tab {\n name "x"\n}',
      "Tab property 'name' must be placed on the tab title line and not in the child braces",
    ],
    ['tab {\n bogus\n}', 'Invalid tab property: bogus'],
    ['pane_template name="1x"\npane', 'Template names cannot start with numbers'],
    ['pane_template name="a(b)"\npane', 'Template names cannot contain parantheses'],
    ['pane_template name="t"\npane_template name="t"\npane', 'Duplicate definition of the "t" pane_template'],
    ['tab_template name="t"\ntab_template name="t"\ntab', 'Duplicate definition of the "t" tab_template'],
    ['floating_panes {\n tab\n}', 'floating_panes can only contain pane nodes, found: tab'],
    ['floating_panes {\n pane width=0\n}', 'width should be greater than 0'],
    [
      'floating_panes {\n pane split_direction="vertical"\n}',
      'Unknown floating pane property: split_direction',
    ],
    ['default_tab_template\ntab {\n pane\n}', 'This template has 0 children blocks'],
  ])('%j → %s', (body, message) => {
    expect(problemsOf(inLayout(body)).map((p) => p.message)).toContainEqual(expect.stringContaining(message));
  });

  it('reports pane and tab nodes outside layout', () => {
    expect(problemsOf('layout\npane\n')).toEqual([
      { line: 2, message: 'This node should be inside the main "layout" node' },
    ]);
  });

  it('accepts the research’s recommended shape', () => {
    const layout = inLayout(`
    default_tab_template {
        pane size=1 borderless=true {
            plugin location="zellij:tab-bar"
        }
        children
        pane size=1 borderless=true {
            plugin location="zellij:status-bar"
        }
    }
    tab name="git-parallel" focus=true {
        pane split_direction="vertical" {
            pane name="a" cwd="/r/$$x" command="/usr/bin/env" focus=true {
                args "PORT=3001" "/usr/local/bin/claude" "Task: \\"quote\\" $HOME\\nnext"
            }
            pane name="b" cwd="/r/b" command="/usr/bin/env"
        }
    }`);
    expect(checkZellijLayout(layout, { env: {} })).toEqual({ ok: true });
  });
});
