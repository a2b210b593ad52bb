#!/usr/bin/env node
// Renders the README's reliability table from the suites' own summaries (test-output/reliability/*.json,
// written by test/reliability/*.test.ts): tried, passed, data lost. Rows of suites without a summary are
// kept as they are. Usage: npx vitest run test/reliability && node scripts/reliability-table.mjs
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const readmePath = path.join(root, 'README.md');
const summaryDir = path.join(root, 'test-output', 'reliability');
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';

export const renderRow = (s) => `| ${s.suite} | ${s.what} | ${s.tried} | ${s.passed} | ${s.dataLost} |`;

export function renderTable(readme, summaries) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  const rows = new Map();
  for (const line of readme.slice(start, end).split('\n')) {
    const suite = line.match(/^\| ([a-z][a-z-]*) \|/)?.[1];
    if (suite && suite !== 'suite') rows.set(suite, line);
  }
  for (const s of summaries) rows.set(s.suite, renderRow(s));
  const totals = [...rows.values()].map((row) => row.split('|').map((cell) => cell.trim()));
  const sum = (i) => totals.reduce((n, cells) => n + Number(cells[i]), 0);
  const table = [
    '| suite | what is done | tried | passed | data lost |',
    '| --- | --- | --- | --- | --- |',
    ...[...rows.keys()].sort().map((k) => rows.get(k)),
    `| **all** | | **${sum(3)}** | **${sum(4)}** | **${sum(5)}** |`,
  ];
  return `${readme.slice(0, start)}${START}\n${table.join('\n')}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = existsSync(summaryDir) ? readdirSync(summaryDir).filter((f) => f.endsWith('.json')) : [];
  const summaries = files.map((f) => JSON.parse(readFileSync(path.join(summaryDir, f), 'utf8')));
  const incomplete = summaries.filter((s) => s.passed !== s.tried);
  for (const s of incomplete) console.error(`note: ${s.suite} passed ${s.passed} of ${s.tried}`);
  writeFileSync(readmePath, renderTable(readFileSync(readmePath, 'utf8'), summaries));
  console.error(
    `README.md: reliability table from ${summaries.map((s) => s.suite).join(', ') || 'no summaries'}`,
  );
}
