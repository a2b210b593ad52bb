// Bundles the CLI so it starts fast: one file for the entry and the commands every start needs,
// with each command's heavier dependencies split into chunks that load only when that command runs.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

const result = await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  // Less to parse at every start; stack traces stay readable through the source map (--enable-source-maps).
  minify: true,
  // cosmiconfig loads TypeScript only for a git-parallel.config.ts; it is the user's, not bundled.
  external: ['typescript'],
  // yargs measures help text with string-width, whose Unicode tables cost more than the rest of a start
  // (see src/output/string-width.ts).
  // simple-git logs through `debug`, which costs more to load than simple-git itself: a silent stand-in
  // (src/io/debug-stub.ts).
  alias: { 'string-width': './src/output/string-width.ts', debug: './src/io/debug-stub.ts' },
  logLevel: 'warning',
  // diff2html's stylesheet goes into the HTML report: bundled as text, since an install has no node_modules.
  loader: { '.css': 'text' },
  metafile: true,
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __gpCreateRequire } from 'node:module'; const require = __gpCreateRequire(import.meta.url);",
  },
});

// `npx esbuild --analyze`-style insight: which inputs land in which output file (bench and profiling use it).
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));

// `git parallel --help` rendered ahead for the common widths (src/commands/help-width.ts): yargs' rendering
// of it costs more than Node's own start. The same parser renders it, bundled as the CLI's is.
const helpGenerator = path.resolve('node_modules/.cache/git-parallel/render-help.mjs');
await build({
  entryPoints: ['src/commands/render-help.ts'],
  outfile: helpGenerator,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript'],
  alias: { 'string-width': './src/output/string-width.ts' },
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __gpCreateRequire } from 'node:module'; const require = __gpCreateRequire(import.meta.url);",
  },
});
const { renderAllTopHelp } = await import(pathToFileURL(helpGenerator).href);
writeFileSync(
  'dist/help-text.js',
  `// Written by scripts/build.mjs: \`git parallel --help\` at these widths.\nexport const HELP = ${JSON.stringify(await renderAllTopHelp())};\n`,
);

// The manual pages (man/man1, package.json "man"), rendered from the same command definitions yargs parses
// with: a bundle of src/man/write-man-pages.ts, run once here.
const generator = path.resolve('node_modules/.cache/git-parallel/write-man-pages.mjs');
await build({
  entryPoints: ['src/man/write-man-pages.ts'],
  outfile: generator,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript'],
  alias: { 'string-width': './src/output/string-width.ts' },
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __gpCreateRequire } from 'node:module'; const require = __gpCreateRequire(import.meta.url);",
  },
});
const { writeManPages } = await import(pathToFileURL(generator).href);
const pages = writeManPages('man/man1').map((file) => `./man/man1/${file}`);
const declared = JSON.parse(readFileSync('package.json', 'utf8')).man ?? [];
if (JSON.stringify(pages) !== JSON.stringify(declared)) {
  throw new Error(
    `package.json "man" must list the pages written to man/man1:\n${JSON.stringify(pages, null, 2)}`,
  );
}
