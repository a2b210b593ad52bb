import { pathToFileURL } from 'node:url';
import diff2htmlCss from 'diff2html/bundles/css/diff2html.min.css';
import { type CandidateReport, type CompareReport, uncommittedText } from '../core/compare-report.js';
import { pairOf, percent } from '../core/compare-stats.js';
import type { SharedFile } from '../core/file-columns.js';
import { describeCost } from './cost-text.js';
import {
  DiffBudget,
  fileTable,
  LARGE_FILE_LINES,
  renderCandidateDiffs,
  renderSharedFile,
} from './html-diffs.js';
import { escapeHtml } from './html-escape.js';
import { reviewSection } from './html-review.js';

/**
 * `compare --html <file>`: one self-contained page — the summary table, the overlap and similarity
 * matrix, and each candidate's diff against the base with a file list to navigate it, side by side or
 * unified. Everything is inline (diff2html's stylesheet, our own CSS); the view switch and the file
 * lists work without JavaScript (radio buttons and anchors), so the page needs no network and runs no
 * script. Every piece of text from the repository (paths, names, log lines) is escaped, or escaped by
 * diff2html, which renders the diffs.
 */
export interface HtmlReportInput {
  report: CompareReport;
  /** Each candidate's full patch against the base (`git diff-tree -p`). */
  patches: ReadonlyMap<number, string>;
  /** The last lines of each candidate's check log. */
  logTails: ReadonlyMap<number, string>;
  /** The same patches with whitespace ignored (`diff-tree -w`), for the ignoring-whitespace view. */
  patchesIgnoringWhitespace?: ReadonlyMap<number, string>;
  /** diff2html's stylesheet (loadDiff2HtmlCss). */
  diff2htmlCss: string;
  /** The files two or more candidates changed, their versions side by side (sharedFiles). */
  sharedFiles?: SharedFile[];
  /** The size budget of all diffs together (DIFF_BUDGET_BYTES unless given). */
  diffBudgetBytes?: number;
}

/**
 * diff2html's own stylesheet, bundled into dist/ as text (esbuild's text loader): the installed package
 * has no node_modules to read it from at run time.
 */
export async function loadDiff2HtmlCss(): Promise<string> {
  return diff2htmlCss;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { report } = input;
  const ranked = [...report.candidates].sort((a, b) => a.rank - b.rank);
  const base = `${report.base.ref ?? '(detached)'} @ ${report.base.commit.slice(0, 10)}`;
  const title = `git parallel compare · ${report.task}`;
  // Rendered first, so the page can say what the size budget cut.
  const budget = new DiffBudget(input.diffBudgetBytes);
  const candidates = ranked.map((c) => candidateSection(c, input, budget)).join('\n');
  const shared = sharedSection(report.task, input.sharedFiles ?? [], budget);
  const cut = budgetNote(budget);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="git-parallel">
<title>${escapeHtml(title)}</title>
<style>${input.diff2htmlCss.replaceAll('</style', '<\\/style')}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<input type="radio" name="view" id="view-side" class="view-toggle" checked>
<input type="radio" name="view" id="view-line" class="view-toggle">
<input type="radio" name="view" id="view-ws" class="view-toggle">
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${report.candidates.length} candidates against ${escapeHtml(base)} · generated ${escapeHtml(report.generatedAt)}${
    report.check ? ` · check <code>${escapeHtml(report.check.command)}</code>` : ''
  }</p>${
    report.baseMoved
      ? `\n<p class="warning">warning: the base branch ${escapeHtml(report.baseMoved.ref)} moved since the run started (${report.baseMoved.commit ? `now ${escapeHtml(report.baseMoved.commit.slice(0, 10))}` : 'gone'}); each candidate's own work is counted from its merge base with it, and the summary says whether it merges cleanly into it now.</p>`
      : ''
  }
${cut}
<nav>
<a href="#summary">Summary</a>${report.review ? '\n<a href="#review">Review</a>' : ''}
<a href="#overlap">Overlap</a>
<a href="#side-by-side">File by file</a>
${ranked.map((c) => `<a href="#candidate-${c.n}">${escapeHtml(c.name)}</a>`).join('\n')}
<span class="view-switch">Diffs: <label for="view-side">side by side</label> <label for="view-line">unified</label> <label for="view-ws">ignoring whitespace</label></span>
</nav>
</header>
<main>
${summarySection(report, ranked)}
${reviewSection(report)}
${overlapSection(report)}
${shared}
${candidates}
</main>
</body>
</html>
`;
}

function summarySection(report: CompareReport, ranked: CandidateReport[]): string {
  const rows = ranked.map(
    (c) => `<tr data-candidate="${c.n}">
<td class="num">${c.rank}</td>
<td class="num">${c.n}</td>
<td><a href="#candidate-${c.n}">${escapeHtml(c.name)}</a>${c.warnings.map((w) => `<div class="warning">warning: ${escapeHtml(w)}</div>`).join('')}</td>
<td>${escapeHtml(c.agent)}</td>
<td>${escapeHtml(c.state)}</td>
<td class="num">${c.commits ?? '–'}</td>
<td class="num">${c.filesChanged ?? '–'}${c.binaryFiles > 0 ? ` <span class="muted">(${c.binaryFiles} binary)</span>` : ''}</td>
<td class="num">${lineCounts(c)}</td>${report.baseMoved ? `\n<td>${escapeHtml(mergeCell(c))}</td>` : ''}
<td>${escapeHtml(uncommittedText(c))}</td>
<td>${checkCell(c)}</td>
<td class="cost">${escapeHtml(describeCost(c.cost, c.agent))}</td>
</tr>`,
  );
  return `<section id="summary">
<h2>Summary</h2>
<table class="summary">
<thead><tr><th>Rank</th><th>N</th><th>Candidate</th><th>Agent</th><th>State</th><th>Commits</th><th>Files</th><th>+/−</th>${
    report.baseMoved ? `<th>Merges into ${escapeHtml(report.baseMoved.ref)} now</th>` : ''
  }<th>Uncommitted</th><th>Check</th><th>Cost</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="rule">${escapeHtml(report.ranking.text)}</p>
</section>`;
}

function overlapSection(report: CompareReport): string {
  const name = new Map(report.candidates.map((c) => [c.n, c.name]));
  const all = report.overlap.touchedByAll;
  const only = report.overlap.touchedByOne
    .map((o) => `<li><strong>${escapeHtml(name.get(o.n) ?? String(o.n))}</strong>: ${fileList(o.files)}</li>`)
    .join('\n');
  const header = report.candidates.map((c) => `<th>${escapeHtml(c.name)}</th>`).join('');
  const rows = report.candidates.map((row) => {
    const cells = report.candidates.map((col) => {
      const pair = pairOf(report.overlap.pairs, row.n, col.n);
      if (!pair) return '<td class="self">·</td>';
      const shade = Math.round(95 - pair.lineSimilarity * 40);
      return `<td style="background:hsl(140 45% ${shade}%)" title="${pair.sharedFiles} shared files">files ${percent(pair.fileSimilarity)}<br>lines ${percent(pair.lineSimilarity)}</td>`;
    });
    return `<tr><th>${escapeHtml(row.name)}</th>${cells.join('')}</tr>`;
  });
  return `<section id="overlap">
<h2>Overlap</h2>
<p>Touched by every candidate: ${report.candidates.length < 2 ? '<span class="muted">(one candidate)</span>' : fileList(all)}</p>
<p>Touched by only one:</p>
<ul>
${only}
</ul>
<h3>Similarity</h3>
<p class="muted">Jaccard: shared ÷ all. <em>files</em> over the sets of changed paths; <em>changes</em> over each added or removed line with its file and the base line it sits at, plus each mode and blob (binary content) change, counted with repeats. 100% means the same change.</p>
<table class="matrix">
<thead><tr><th></th>${header}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}

function candidateSection(c: CandidateReport, input: HtmlReportInput, budget: DiffBudget): string {
  const patch = input.patches.get(c.n) ?? '';
  const tail = input.logTails.get(c.n);
  const facts = [
    `branch <code>${escapeHtml(c.branch)}</code>`,
    c.commits === null ? 'branch gone' : `${c.commits} commit${c.commits === 1 ? '' : 's'}`,
    c.filesChanged === null
      ? 'nothing to compare'
      : `${c.filesChanged} file${c.filesChanged === 1 ? '' : 's'}`,
    lineCounts(c),
    `uncommitted: ${escapeHtml(uncommittedText(c))}`,
    `worktree <code>${escapeHtml(c.worktree)}</code>${c.worktreeMissing ? ' (missing)' : ''}`,
  ];
  const check = c.check
    ? `<details class="check"><summary>Check: ${checkCell(c)}</summary>
<pre>${escapeHtml(tail ?? '(no log)')}</pre>
</details>`
    : '';
  const diffs = renderCandidateDiffs(
    {
      n: c.n,
      diffCommand: `git parallel diff ${input.report.task} ${c.n} --`,
      files: c.files,
      patch,
      patchIgnoringWhitespace: input.patchesIgnoringWhitespace?.get(c.n) ?? null,
    },
    budget,
  );
  return `<section class="candidate" id="candidate-${c.n}" data-candidate="${c.n}">
<h2>#${c.rank} ${escapeHtml(c.name)} <span class="muted">· ${escapeHtml(c.agent)} · ${escapeHtml(c.state)}</span></h2>
<p class="facts">${facts.join(' · ')}</p>
${check}
${fileTable(c.n, c.files)}
<div class="diff">${diffs}</div>
</section>`;
}

function checkCell(c: CandidateReport): string {
  const check = c.check;
  if (!check) return '<span class="muted">not run</span>';
  const seconds = `${(check.durationMs / 1000).toFixed(1)}s`;
  const verdict = check.timedOut
    ? '<span class="fail">timed out</span>'
    : check.passed
      ? '<span class="pass">pass</span>'
      : `<span class="fail">fail</span> (${check.exitCode === null ? escapeHtml(check.signal ?? 'killed') : `exit ${check.exitCode}`})`;
  const stale = check.current ? '' : ' <span class="muted">(worktree changed since)</span>';
  return `${verdict} · ${seconds} · <a href="${escapeHtml(pathToFileURL(check.logFile).href)}">log</a>${stale}`;
}

function sharedSection(task: string, files: SharedFile[], budget: DiffBudget): string {
  const body =
    files.length === 0
      ? '<p class="muted">No file was changed by two or more candidates.</p>'
      : files.map((file) => renderSharedFile(task, file, budget)).join('\n');
  return `<section id="side-by-side">
<h2>File by file: candidates side by side</h2>
<p class="muted">Each file that two or more candidates changed, a column per candidate, aligned on the base file's lines: <span class="col-removed">removed</span>, <span class="col-added">added</span>, unchanged.</p>
${body}
</section>`;
}

function budgetNote(budget: DiffBudget): string {
  const parts: string[] = [];
  if (budget.tooLargeFiles > 0) {
    parts.push(
      `${budget.tooLargeFiles} file diff${budget.tooLargeFiles === 1 ? '' : 's'} over ${LARGE_FILE_LINES.toLocaleString('en-US')} changed lines not shown`,
    );
  }
  if (budget.cutFiles > 0) {
    parts.push(
      `${budget.cutFiles} file diff${budget.cutFiles === 1 ? '' : 's'} cut to keep the report under its size budget`,
    );
  }
  if (parts.length === 0) return '';
  return `<p class="warning">This report leaves out: ${escapeHtml(parts.join('; '))}. Each such file is listed where it belongs, with the command that shows it.</p>`;
}

function lineCounts(c: CandidateReport): string {
  if (c.added === null) return '<span class="muted">–</span>';
  return `<span class="added">+${c.added}</span> <span class="deleted">−${c.deleted}</span>`;
}

function mergeCell(c: CandidateReport): string {
  if (c.mergesIntoBase === null) return 'not known';
  if (c.mergesIntoBase.clean) return 'yes';
  return `no: conflicts in ${c.mergesIntoBase.conflicts.join(', ')}`;
}

function fileList(files: string[]): string {
  if (files.length === 0) return '<span class="muted">none</span>';
  return files.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ');
}

const PAGE_CSS = `
.warning { color: #9a6700; font-size: 0.9em; }
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0; background: #fafbfc; color: #1f2328; }
header { position: sticky; top: 0; z-index: 10; background: #fff; border-bottom: 1px solid #d0d7de; padding: 8px 24px; }
header h1 { font-size: 18px; margin: 4px 0; }
.meta { margin: 2px 0 6px; color: #57606a; font-size: 13px; }
nav { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; font-size: 14px; }
nav a { color: #0969da; text-decoration: none; }
.view-switch { margin-left: auto; color: #57606a; }
.view-switch label { cursor: pointer; padding: 2px 8px; border: 1px solid #d0d7de; border-radius: 4px; }
.view-toggle { position: absolute; opacity: 0; pointer-events: none; }
#view-side:checked ~ header label[for="view-side"], #view-line:checked ~ header label[for="view-line"], #view-ws:checked ~ header label[for="view-ws"] { background: #0969da; color: #fff; border-color: #0969da; }
#view-side:checked ~ main .view-line, #view-side:checked ~ main .view-ws,
#view-line:checked ~ main .view-side, #view-line:checked ~ main .view-ws,
#view-ws:checked ~ main .view-side, #view-ws:checked ~ main .view-line { display: none; }
#view-ws:checked ~ main .ws-same .view-line { display: block; }
details.file { margin: 6px 0; border: 1px solid #d0d7de; border-radius: 4px; background: #fff; }
details.file > summary { cursor: pointer; padding: 4px 8px; font-family: ui-monospace, monospace; font-size: 13px; }
table.columns { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; width: 100%; table-layout: fixed; }
table.columns th, table.columns td { border-left: 1px solid #d0d7de; padding: 0 6px; white-space: pre-wrap; word-break: break-all; vertical-align: top; text-align: left; }
table.columns td.ln { width: 48px; color: #8c959f; text-align: right; border-left: 0; }
table.columns th:first-child { width: 48px; }
.col-removed { background: #ffebe9; text-decoration: line-through; color: #82071e; }
.col-added { background: #dafbe1; }
tr.gap td { color: #8c959f; background: #f6f8fa; }
.cut { color: #9a6700; font-family: system-ui, sans-serif; }
main { padding: 0 24px 48px; }
section { margin-top: 24px; scroll-margin-top: 110px; }
h2 { font-size: 16px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table.summary, table.matrix { border-collapse: collapse; background: #fff; font-size: 13px; }
table.summary th, table.summary td, table.matrix th, table.matrix td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.self { color: #8c959f; text-align: center; }
.added { color: #1a7f37; } .deleted { color: #cf222e; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
.muted { color: #57606a; font-weight: normal; }
.rule { font-size: 13px; color: #57606a; }
.facts { font-size: 13px; }
details.check pre { max-height: 320px; overflow: auto; background: #f6f8fa; border: 1px solid #d0d7de; padding: 8px; font-size: 12px; }
.d2h-file-switch { display: none; }
table.files { border-collapse: collapse; background: #fff; font-size: 13px; margin: 8px 0; }
table.files th, table.files td { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; }
td.status { font-family: ui-monospace, monospace; font-weight: 600; text-align: center; }
.status-A { color: #1a7f37; } .status-D { color: #cf222e; } .status-R, .status-C { color: #8250df; } .status-T { color: #9a6700; }
.file-note { color: #9a6700; font-weight: normal; font-size: 12px; margin-left: 6px; }
`;

export { escapeHtml } from './html-escape.js';
