import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { README, readmeRows, renderRow, TABLE_END, TABLE_START } from './tally.js';

/** The README's reliability table is what scripts/reliability-table.mjs renders from the suites' summaries. */
describe("the README's reliability table", () => {
  it('the script and the suites render a row the same way, and the totals row adds up', async () => {
    const script = (await import(path.join(REPO_ROOT, 'scripts', 'reliability-table.mjs'))) as {
      renderRow: typeof renderRow;
      renderTable: (readme: string, summaries: object[]) => string;
    };
    const sample = { suite: 'example', what: 'a thing', tried: 3, passed: 2, dataLost: 1 };
    expect(script.renderRow(sample)).toBe(renderRow(sample));
    const readme = readFileSync(README, 'utf8');
    // Rendering from the rows already there changes nothing: the table is in the script's own shape.
    expect(script.renderTable(readme, [])).toBe(readme);
    const rows = [...readmeRows(readme).values()].map((row) => row.split('|').map((cell) => cell.trim()));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const block = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END));
    const total = (i: number) => rows.reduce((n, cells) => n + Number(cells[i]), 0);
    expect(block).toContain(`| **all** | | **${total(3)}** | **${total(4)}** | **${total(5)}** |`);
  });
});
