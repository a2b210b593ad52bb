import { stat } from 'node:fs/promises';
import path from 'node:path';
import { lastLines } from '../core/command-text.js';
import type { CompareReport, Gathered } from '../core/compare-report.js';
import { UsageError } from '../errors.js';
import { readLogTail } from './checks.js';
import { writeFileAtomic } from './files.js';

/**
 * compare's HTML report as a file: what the page shows beyond the report (each check's log tail, the
 * files two candidates changed, aligned in columns) is read here, the page itself is rendered by
 * output/html-report.ts. Both are loaded only when a report is asked for (diff2html's CSS is large).
 */

/** Refuses, before any work, a report path whose folder is missing or that is a folder itself. */
export async function assertReportWritable(file: string): Promise<void> {
  const folder = path.dirname(file);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory())
    throw new UsageError(`cannot write the report to ${file}: ${folder} is not a folder`);
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) throw new UsageError(`cannot write the report to ${file}: it is a folder`);
}

export async function writeHtmlReport(
  file: string,
  report: CompareReport,
  gathered: readonly Gathered[],
  repoRoot: string,
): Promise<void> {
  const { loadDiff2HtmlCss, renderHtmlReport } = await import('../output/html-report.js');
  const { sharedFiles } = await import('./compare-columns.js');
  const logTails = new Map<number, string>();
  for (const c of report.candidates) {
    if (c.check) logTails.set(c.n, lastLines((await readLogTail(c.check.logFile)) ?? '', 80));
  }
  const patches = new Map(gathered.map((g) => [g.candidate.n, g.patch]));
  const page = renderHtmlReport({
    report,
    patches,
    sharedFiles: await sharedFiles(repoRoot, report, patches),
    patchesIgnoringWhitespace: new Map(gathered.map((g) => [g.candidate.n, g.patchIgnoringWhitespace])),
    logTails,
    diff2htmlCss: await loadDiff2HtmlCss(),
  });
  await writeFileAtomic(file, page);
}
