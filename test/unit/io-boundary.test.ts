import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Issue 15: execa is the one way to run a program (src/io/exec.ts), so no other file of src/ starts one
 * itself. Read from the syntax tree, not the text: an import written inside a string (the opencode plugin
 * that src/io/agent-hooks.ts writes into a worktree) is not one of ours.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

interface ModuleUse {
  specifier: string;
  /** `import type …`, erased at build: loads nothing. */
  typeOnly: boolean;
  /** `import('…')`, loaded when that line runs, not at start-up. */
  dynamic: boolean;
}

function moduleUses(code: string, file = 'file.ts'): ModuleUse[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const uses: ModuleUse[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly = ts.isImportDeclaration(node)
        ? node.importClause?.isTypeOnly === true
        : node.isTypeOnly;
      uses.push({ specifier: node.moduleSpecifier.text, typeOnly, dynamic: false });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      uses.push({ specifier: node.moduleReference.expression.text, typeOnly: false, dynamic: false });
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamic || required) uses.push({ specifier: node.arguments[0].text, typeOnly: false, dynamic });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) uses.push({ specifier: literal.text, typeOnly: true, dynamic: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** src-relative path → the modules it uses. */
const SOURCES = new Map(
  sourceFiles(SRC).map((file) => [
    path.relative(SRC, file).split(path.sep).join('/'),
    moduleUses(readFileSync(file, 'utf8'), file),
  ]),
);

function filesUsing(matches: (specifier: string) => boolean): string[] {
  return [...SOURCES]
    .filter(([, uses]) => uses.some((use) => matches(use.specifier)))
    .map(([file]) => file)
    .sort();
}

const isChildProcess = (specifier: string) =>
  specifier === 'child_process' || specifier === 'node:child_process';
const isExeca = (specifier: string) => specifier === 'execa' || specifier.startsWith('execa/');

describe('the scanner reads code, not text', () => {
  it.each([
    ["import { spawn } from 'node:child_process';", ['node:child_process']],
    ["import * as cp from 'child_process';", ['child_process']],
    ["export { spawn } from 'node:child_process';", ['node:child_process']],
    ["const cp = await import('node:child_process');", ['node:child_process']],
    ["const cp = require('child_process');", ['child_process']],
    ["import cp = require('child_process');", ['child_process']],
    ["type E = typeof import('execa');", ['execa']],
    ["const plugin = `import { spawn } from 'node:child_process';`;", []],
    ["// import { spawn } from 'node:child_process';", []],
    ['const text = "require(\'child_process\')";', []],
  ])('%s', (code, expected) => {
    expect(moduleUses(code).map((use) => use.specifier)).toEqual(expected);
  });

  it('sees every file of src, with exec.ts among them', () => {
    expect(SOURCES.size).toBeGreaterThan(50);
    expect(filesUsing(isChildProcess)).toContain('io/exec.ts');
    expect(filesUsing(isExeca)).toEqual(['io/exec.ts']);
  });
});

describe('one way to run a program (issue 15)', () => {
  it('imports node:child_process only in src/io/exec.ts', () => {
    const allowed = new Set(['io/exec.ts']);
    expect(filesUsing(isChildProcess).filter((file) => !allowed.has(file))).toEqual([]);
  });

  it('imports execa only in src/io/exec.ts', () => {
    expect(filesUsing(isExeca)).toEqual(['io/exec.ts']);
  });

  it('loads execa only when a program is run, never at start-up', () => {
    // About 25 ms of CPU bundled: `--version`, `--help` and `list` must not pay for it. Types are erased.
    const loads = SOURCES.get('io/exec.ts')!.filter((use) => isExeca(use.specifier) && !use.typeOnly);
    expect(loads.length).toBeGreaterThan(0);
    expect(loads.filter((use) => !use.dynamic)).toEqual([]);
  });
});

/**
 * Issue 15 item 4: the floors of src/, top to bottom (cli → commands → actions → io → config/output →
 * core). A file may use its own floor and those below it, never one above: an arrow running back up (a
 * core type from config/, an action from commands/) is how a layer starts to depend on its callers.
 * Type-only imports count: they tie the lower floor to the upper one's shapes just the same.
 */
const FLOORS: [floor: number, matches: (file: string) => boolean][] = [
  [5, (file) => file === 'cli.ts' || file.startsWith('man/')],
  [4, (file) => file.startsWith('commands/')],
  [3, (file) => file.startsWith('actions/')],
  // version.ts reads package.json through io/launcher-path.ts: it sits with io.
  [2, (file) => file.startsWith('io/') || file === 'version.ts'],
  [1, (file) => file.startsWith('config/') || file.startsWith('output/')],
  [0, (file) => file.startsWith('core/') || file.startsWith('types/') || file === 'errors.ts'],
];

function floorOf(file: string): number {
  const found = FLOORS.find(([, matches]) => matches(file));
  if (!found) throw new Error(`${file} is on no floor of the layering: add it to FLOORS`);
  return found[0];
}

/** The src-relative file an import of `from` names, or null for a package or node: module. */
function resolveInSrc(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** `from → to` for every import of `sources` that runs from a lower floor to a higher one. */
function arrowsUp(sources: ReadonlyMap<string, ModuleUse[]>): string[] {
  const arrows: string[] = [];
  for (const [file, uses] of sources) {
    for (const use of uses) {
      const target = resolveInSrc(file, use.specifier);
      if (target !== null && floorOf(target) > floorOf(file)) arrows.push(`${file} → ${target}`);
    }
  }
  return arrows.sort();
}

describe('the layering has no arrow running back up (issue 15)', () => {
  it.each([
    ['core/a.ts', "import type { Config } from '../config/schema.js';", ['core/a.ts → config/schema.ts']],
    ['output/a.ts', "import { describeCheck } from '../io/checks.js';", ['output/a.ts → io/checks.ts']],
    [
      'actions/a.ts',
      "const { x } = await import('../commands/context.js');",
      ['actions/a.ts → commands/context.ts'],
    ],
    ['config/a.ts', "import { pathExists } from '../io/files.js';", ['config/a.ts → io/files.ts']],
    ['io/a.ts', "import type { LoadedConfig } from '../config/load.js';", []],
    ['output/a.ts', "import { loadConfig } from '../config/load.js';", []],
    ['commands/a.ts', "import { pick } from '../actions/pick.js';", []],
  ])('%s: %s', (file, code, expected) => {
    expect(arrowsUp(new Map([[file, moduleUses(code, file)]]))).toEqual(expected);
  });

  it('puts every file of src on a floor', () => {
    for (const file of SOURCES.keys()) expect(() => floorOf(file)).not.toThrow();
  });

  it('finds none in src/', () => {
    expect(arrowsUp(SOURCES)).toEqual([]);
  });
});
