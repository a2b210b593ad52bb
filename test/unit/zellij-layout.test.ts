import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node } from '@bgotink/kdl';
import { parse } from '@bgotink/kdl/v1-compat';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kdlString, zellijPath } from '../../src/core/kdl-v1.js';
import type { PaneSpec } from '../../src/core/types.js';
import {
  BUILT_IN_ZELLIJ_LAYOUTS,
  gridShape,
  LayoutTemplateError,
  layoutTabNames,
  renderZellijLayout,
  ZELLIJ_PLACEHOLDERS,
} from '../../src/core/zellij-layout.js';
import { checkZellijLayout } from '../../src/core/zellij-rules.js';
import { UsageError } from '../../src/errors.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

function builtIn(name: string) {
  const file = `layouts/${name}.kdl`;
  return { file, text: readFileSync(path.join(repoRoot, file), 'utf8') };
}

// -- walking a parsed layout ---------------------------------------------------------------------------

function children(node: Node): Node[] {
  return node.children?.nodes ?? [];
}

function descendants(node: Node): Node[] {
  return children(node).flatMap((c) => [c, ...descendants(c)]);
}

function layoutNode(text: string): Node {
  const layout = parse(text).nodes.find((n) => n.getName() === 'layout');
  if (!layout) throw new Error('no layout node');
  return layout;
}

/** An agent pane is a pane with a command (the bars are plugin panes). */
const isAgent = (n: Node) => n.getName() === 'pane' && n.hasProperty('command');
/** Undo zellijPath's `$` → `$$`, strictly: a single `$` would be expanded by zellij, so it fails the test. */
function unescapePath(value: unknown): string {
  const s = String(value);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$' && s[++i] !== '$') throw new Error(`unescaped $ in ${JSON.stringify(s)}`);
    out += s[i];
  }
  return out;
}

function agentPanes(text: string): { pane: PaneSpec; focus: boolean }[] {
  return descendants(layoutNode(text))
    .filter(isAgent)
    .map((n) => ({
      pane: {
        title: String(n.getProperty('name')),
        cwd: unescapePath(n.getProperty('cwd')),
        argv: [
          unescapePath(n.getProperty('command')),
          ...(n.findNodeByName('args')?.getArguments() ?? []).map(String),
        ],
      },
      focus: n.getProperty('focus') === true,
    }));
}

function tabs(text: string): Node[] {
  return children(layoutNode(text)).filter((n) => n.getName() === 'tab');
}

/** The pane counts of the rows of the one tab, read back from the layout. */
function gridRows(text: string): number[] {
  const [tab] = tabs(text);
  const [top, ...rest] = tab ? children(tab) : [];
  if (!top || rest.length > 0) throw new Error('the tab should hold a single node');
  if (isAgent(top)) return [1];
  if (top.getProperty('split_direction') === 'vertical') return [children(top).length];
  return children(top).map((row) => (isAgent(row) ? 1 : children(row).length));
}

// -- inputs ------------------------------------------------------------------------------------------------

const HOSTILE = [
  'plain',
  'with spaces  and  more',
  'double " and single \' quotes',
  '$HOME and $USER and $$ and $',
  '${X} and ${HOME:-/x}',
  '#not-a-comment // nor this /* nor */ /- this',
  'back\\slash\\ and \\n literally',
  'unicode é ß 漢字 Ω',
  'emoji 🤖🎉👩‍💻',
  'new\nline and cr\r and tab\t',
  'separators \u2028 \u2029 \u0085 bom \ufeff',
  'bidi \u202e reversed \u2066 isolate',
  'controls \u0000 \u0001 \u001b[31m \u007f',
  '{{grid}} {{ nope }} }} {{',
];

const PROMPT =
  'Fix the bug: "quotes" \'single\' `backticks` $(rm -rf /) ${HOME} $HOME \\ # 🎉 é\nsecond line\u2028third\ttab';

function hostilePanes(n: number): PaneSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const word = HOSTILE[i % HOSTILE.length] ?? '';
    return {
      title: `${word} · agent-${i + 1} · :${3000 + i}`,
      cwd: `/tmp/work tree/$HOME/${word}/${i}`,
      argv:
        i % 4 === 3
          ? [`/opt/bin ${i}/agent`]
          : [
              '/usr/bin/env',
              `PORT=${3000 + i}`,
              `/opt/$HOME/\${X}/bin/agent-${i}`,
              '--flag',
              PROMPT,
              word,
              '',
            ],
    };
  });
}

function expectRoundTrip(layout: string, panes: PaneSpec[]): void {
  expect(agentPanes(layout).map((a) => a.pane)).toEqual(panes);
}

// -- tests -------------------------------------------------------------------------------------------------

describe('built-in templates', () => {
  it('are exactly the files in layouts/, each opening with a // comment', () => {
    const files = readdirSync(path.join(repoRoot, 'layouts')).filter((f) => f.endsWith('.kdl'));
    expect(files.sort()).toEqual(BUILT_IN_ZELLIJ_LAYOUTS.map((n) => `${n}.kdl`).sort());
    for (const name of BUILT_IN_ZELLIJ_LAYOUTS) expect(builtIn(name).text).toMatch(/^\/\/ /);
  });

  const cases = BUILT_IN_ZELLIJ_LAYOUTS.flatMap((name) =>
    Array.from({ length: 12 }, (_, i) => [name, i + 1] as const),
  );

  it.each(cases)('%s with %i hostile panes parses, passes zellij’s rules and round-trips', (name, n) => {
    const panes = hostilePanes(n);
    const tabName = HOSTILE.join(' | ');
    const layout = renderZellijLayout(builtIn(name), { tabName, panes });

    expect(() => parse(layout)).not.toThrow();
    // With an empty environment: zellij would not expand anything in cwd or command.
    expect(checkZellijLayout(layout, { env: {} })).toEqual({ ok: true });
    expectRoundTrip(layout, panes);

    const agents = agentPanes(layout);
    expect(agents).toHaveLength(n);
    expect(agents.map((a) => a.focus)).toEqual(agents.map((_, i) => i === 0));

    const tabNodes = tabs(layout);
    const focusedTabs = tabNodes.filter((t) => t.getProperty('focus') === true);
    if (name === 'tabs') {
      expect(tabNodes.map((t) => t.getProperty('name'))).toEqual(panes.map((p) => p.title));
      expect(focusedTabs).toEqual([tabNodes[0]]);
    } else {
      expect(tabNodes.map((t) => t.getProperty('name'))).toEqual([tabName]);
      expect(focusedTabs).toEqual([]);
    }
    if (name === 'tiled') {
      const rows = gridRows(layout);
      expect(rows).toEqual(gridShape(n));
      expect(rows[0]).toBe(Math.ceil(Math.sqrt(n)));
    }
    if (name === 'columns') expect(gridRows(layout)).toEqual([n]);
    if (name === 'rows') expect(gridRows(layout)).toEqual(Array(n).fill(1));
  });

  it('never puts cwd, command or borderless on a container pane', () => {
    for (const name of BUILT_IN_ZELLIJ_LAYOUTS) {
      for (const n of [1, 2, 5, 12]) {
        const layout = renderZellijLayout(builtIn(name), { tabName: 't', panes: hostilePanes(n) });
        const containers = descendants(layoutNode(layout)).filter(
          (p) => p.getName() === 'pane' && children(p).some((c) => c.getName() === 'pane'),
        );
        for (const c of containers) {
          expect([c.hasProperty('cwd'), c.hasProperty('command'), c.hasProperty('borderless')]).toEqual([
            false,
            false,
            false,
          ]);
        }
      }
    }
  });

  it('writes one pane without any container, and no empty args', () => {
    const layout = renderZellijLayout(builtIn('tiled'), {
      tabName: 'solo',
      panes: [{ title: 'a', cwd: '/w/a', argv: ['/bin/agent'] }],
    });
    expect(layout).toContain(
      '    tab name="solo" {\n        pane name="a" cwd="/w/a" command="/bin/agent" focus=true\n    }',
    );
    expect(layout).not.toContain('args');
  });

  it('any string survives as title, tab name, path and prompt (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/[\ud800-\udfff]/u.test(s));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const panes: PaneSpec[] = [
          { title: a, cwd: `/${a}`, argv: [`/bin/${b}`, a, b] },
          { title: b, cwd: `/x/${b}/$${a}`, argv: ['/usr/bin/env', b] },
        ];
        for (const name of BUILT_IN_ZELLIJ_LAYOUTS) {
          const layout = renderZellijLayout(builtIn(name), { tabName: a, panes });
          expectRoundTrip(layout, panes);
          if (name !== 'tabs') expect(tabs(layout).map((t) => t.getProperty('name'))).toEqual([a]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('gridShape', () => {
  it('has ceil(sqrt(n)) columns in the first row, as few rows as possible, evenly filled', () => {
    for (let n = 1; n <= 200; n++) {
      const shape = gridShape(n);
      const columns = Math.ceil(Math.sqrt(n));
      expect(shape[0]).toBe(columns);
      expect(shape).toHaveLength(Math.ceil(n / columns));
      expect(shape.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...shape) - Math.min(...shape)).toBeLessThanOrEqual(1);
      expect([...shape].sort((a, b) => b - a)).toEqual(shape);
    }
    expect([1, 2, 3, 4, 5, 7, 10].map(gridShape)).toEqual([
      [1],
      [2],
      [2, 1],
      [2, 2],
      [3, 2],
      [3, 2, 2],
      [4, 3, 3],
    ]);
  });

  it('rejects a pane count below 1', () => {
    expect(() => gridShape(0)).toThrow(RangeError);
  });
});

describe('renderZellijLayout errors', () => {
  const panes: PaneSpec[] = [{ title: 'a', cwd: '/w', argv: ['/bin/a'] }];
  const render = (text: string) => () =>
    renderZellijLayout({ file: 'layouts/x.kdl', text }, { tabName: 't', panes });
  const lines = (...l: string[]) => l.join('\n');

  it('names the file, the line and the unknown placeholder', () => {
    const text = lines(
      '// x',
      'layout {',
      '    tab name={{tab_name}} {',
      '',
      '',
      '',
      '        {{foo}}',
      '    }',
      '}',
    );
    expect(render(text)).toThrow(
      new LayoutTemplateError(
        'layouts/x.kdl:7: unknown placeholder {{foo}} (known: tab_name, grid, columns, rows, tabs)',
      ),
    );
    expect(ZELLIJ_PLACEHOLDERS).toEqual(['tab_name', 'grid', 'columns', 'rows', 'tabs']);
  });

  it('names the line of an unterminated {{', () => {
    expect(render(lines('layout {', '    tab name={{tab_name {', '        {{grid}}', '    }', '}'))).toThrow(
      'layouts/x.kdl:2: unterminated {{',
    );
  });

  it('needs exactly one pane placeholder', () => {
    expect(render(lines('layout {', '    tab name={{tab_name}}', '}'))).toThrow(
      'layouts/x.kdl: no pane placeholder: the template must hold one of {{grid}}, {{columns}}, {{rows}}, {{tabs}}',
    );
    expect(
      render(lines('layout {', '    tab {', '        {{grid}}', '        {{rows}}', '    }', '}')),
    ).toThrow('layouts/x.kdl:4: {{rows}} is a second pane placeholder after {{grid}} on line 3');
  });

  it('maps a zellij rule broken by the rendered layout back to the template line', () => {
    expect(render(lines('layout {', '    tab {', '        {{tabs}}', '    }', '}'))).toThrow(
      'layouts/x.kdl:3: the rendered layout is not valid for zellij: Invalid tab property: tab',
    );
  });

  it('throws a UsageError (exit 2)', () => {
    try {
      render('layout {\n    {{nope}}\n}')();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LayoutTemplateError);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
    }
  });

  it('leaves // comment lines alone and accepts spaces inside the braces', () => {
    const text = lines(
      '// {{anything}} goes here {{',
      'layout {',
      '    tab name={{ tab_name }} {',
      '        {{ grid }}',
      '    }',
      '}',
    );
    const layout = renderZellijLayout({ file: 'x', text }, { tabName: 't', panes });
    expect(layout.split('\n')[0]).toBe('// {{anything}} goes here {{');
    expectRoundTrip(layout, panes);
  });

  it('refuses to lay out no panes, or a pane without argv', () => {
    expect(() => renderZellijLayout(builtIn('tiled'), { tabName: 't', panes: [] })).toThrow('no panes');
    expect(() =>
      renderZellijLayout(builtIn('tiled'), { tabName: 't', panes: [{ title: 'a', cwd: '/w', argv: [] }] }),
    ).toThrow('empty argv');
  });
});

describe('KDL v1 writer', () => {
  it('escapes exactly what must be escaped', () => {
    expect(kdlString('plain é 漢字 🤖 $HOME #x')).toBe('"plain é 漢字 🤖 $HOME #x"');
    expect(kdlString('\\ " \n \r \t')).toBe('"\\\\ \\" \\n \\r \\t"');
    expect(kdlString('\u0000\u0001\u001f\u007f\u0085\u009f')).toBe(
      '"\\u{0}\\u{1}\\u{1f}\\u{7f}\\u{85}\\u{9f}"',
    );
    expect(kdlString('\u2028\u2029\ufeff\u200e\u202e\u2069')).toBe(
      '"\\u{2028}\\u{2029}\\u{feff}\\u{200e}\\u{202e}\\u{2069}"',
    );
    expect(kdlString('\b\f/')).toBe('"\\u{8}\\u{c}/"');
  });

  it('refuses lone surrogates', () => {
    expect(() => kdlString('a\ud800b')).toThrow(TypeError);
    expect(() => kdlString('\udc00')).toThrow(TypeError);
  });

  it('doubles $ for zellij’s shell expansion of paths', () => {
    expect(zellijPath('/a/$HOME/${X}/$$')).toBe('"/a/$$HOME/$${X}/$$$$"');
  });

  it('round-trips any string through @bgotink/kdl/v1-compat (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !/[\ud800-\udfff]/u.test(s)),
        (s) => {
          const node = parse(`n ${kdlString(s)} p=${kdlString(s)}`).nodes[0];
          expect(node?.getArgument(0)).toBe(s);
          expect(node?.getProperty('p')).toBe(s);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('layoutTabNames: the tabs `action new-tab --layout` opens (issue 12 defects 4 and 6)', () => {
  const panes: PaneSpec[] = [1, 2, 3].map((n) => ({
    title: `t-${n} · a`,
    cwd: `/w/t-${n}`,
    argv: ['/bin/a'],
  }));
  it.each([
    ['tabs', ['t-1 · a', 't-2 · a', 't-3 · a']],
    ['tiled', ['t']],
    ['rows', ['t']],
    ['columns', ['t']],
  ])('%s with 3 agents', (name, tabs) => {
    expect(layoutTabNames(renderZellijLayout(builtIn(name), { tabName: 't', panes }))).toEqual(tabs);
  });

  it('a layout without tab nodes opens one unnamed tab', () => {
    expect(layoutTabNames('layout {\n    pane\n}\n')).toEqual([null]);
  });
});
