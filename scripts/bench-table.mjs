#!/usr/bin/env node
// Writes the README's performance figures (between <!-- bench:start --> and <!-- bench:end -->) from the
// bench's last result, bench/results/latest.md (written by `npm run bench`). Usage: node scripts/bench-table.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const readmePath = path.join(root, 'README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export function renderBench(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start)}${START}\n${table.trimEnd()}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const table = readFileSync(path.join(root, 'bench', 'results', 'latest.md'), 'utf8');
  writeFileSync(readmePath, renderBench(readFileSync(readmePath, 'utf8'), table));
  console.error('README.md: performance figures from bench/results/latest.md');
}
