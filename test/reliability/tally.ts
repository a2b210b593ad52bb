import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The reliability suites count what they try (issue 10): every scenario is tried, passed or failed, and
 * "data lost" when something the user had (a commit, a file, another run) is not there afterwards. Each
 * suite writes its summary to test-output/reliability/<suite>.json; `node scripts/reliability-table.mjs`
 * renders the README's table from those files, and the suite itself fails when its README row is not
 * what it measured, so the README's figures are always the suite's own.
 */
export interface SuiteSummary {
  suite: string;
  /** What the suite does, for the README's table. */
  what: string;
  tried: number;
  passed: number;
  dataLost: number;
  failures: string[];
}

export const SUMMARY_DIR = path.join(REPO_ROOT, 'test-output', 'reliability');
export const README = path.join(REPO_ROOT, 'README.md');

export interface Tally {
  /** Runs one scenario: passed when `check` returns without throwing; data lost when `lost()` says so. */
  scenario(name: string, check: () => Promise<void>, lost: () => Promise<boolean> | boolean): Promise<void>;
  /** `scenario` as a test body: `it(name, tally.wrap(name, check, lost))`. */
  wrap(name: string, check: () => Promise<void>, lost: () => Promise<boolean> | boolean): () => Promise<void>;
  summary(): SuiteSummary;
  /** Writes the summary; when every planned scenario ran, throws if the README's row differs. */
  finish(): void;
}

export function reliabilityTally(suite: string, what: string, planned: number): Tally {
  const summary: SuiteSummary = { suite, what, tried: 0, passed: 0, dataLost: 0, failures: [] };
  return {
    async scenario(name, check, lost) {
      summary.tried++;
      let failure: unknown = null;
      try {
        await check();
      } catch (error) {
        failure = error;
      }
      const wasLost = await lost();
      if (wasLost) summary.dataLost++;
      if (failure === null && !wasLost) summary.passed++;
      else
        summary.failures.push(
          `${name}: ${wasLost ? 'data lost' : (failure as Error).message.split('\n')[0]}`,
        );
      if (wasLost) throw new Error(`${name}: data lost`);
      if (failure !== null) throw failure;
    },
    wrap(name, check, lost) {
      return () => this.scenario(name, check, lost);
    },
    summary: () => summary,
    finish() {
      mkdirSync(SUMMARY_DIR, { recursive: true });
      writeFileSync(path.join(SUMMARY_DIR, `${suite}.json`), `${JSON.stringify(summary, null, 2)}\n`);
      if (summary.tried !== planned) return;
      const expected = renderRow(summary);
      const actual = readmeRows(readFileSync(README, 'utf8')).get(suite);
      if (actual !== expected) {
        throw new Error(
          `README's reliability row for ${suite} is ${JSON.stringify(actual ?? null)}, the suite measured ${JSON.stringify(expected)}; run node scripts/reliability-table.mjs`,
        );
      }
    },
  };
}

// The same rendering as scripts/reliability-table.mjs (test/reliability/readme-table.test.ts checks both agree).
export function renderRow(s: Pick<SuiteSummary, 'suite' | 'what' | 'tried' | 'passed' | 'dataLost'>): string {
  return `| ${s.suite} | ${s.what} | ${s.tried} | ${s.passed} | ${s.dataLost} |`;
}

export const TABLE_START = '<!-- reliability:start -->';
export const TABLE_END = '<!-- reliability:end -->';

/** The README table's rows by suite name. */
export function readmeRows(readme: string): Map<string, string> {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  const rows = new Map<string, string>();
  if (start < 0 || end < start) return rows;
  for (const line of readme.slice(start, end).split('\n')) {
    const suite = line.match(/^\| ([a-z][a-z-]*) \|/)?.[1];
    if (suite && suite !== 'suite') rows.set(suite, line);
  }
  return rows;
}
