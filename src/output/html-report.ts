import { pathToFileURL } from 'node:url';
import { html as diffToHtml, parse as parseDiff } from 'diff2html';
import diff2htmlCss from 'diff2html/bundles/css/diff2html.min.css';
import { type CandidateReport, type CompareReport, pairOf, percent } from '../core/compare-stats.js';

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
  /** diff2html's stylesheet (loadDiff2HtmlCss). */
  diff2htmlCss: string;
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
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${report.candidates.length} candidates against ${escapeHtml(base)} · generated ${escapeHtml(report.generatedAt)}${
    report.check ? ` · check <code>${escapeHtml(report.check.command)}</code>` : ''
  }</p>${
    report.baseMoved
      ? `\n<p class="warning">warning: the base branch ${escapeHtml(report.baseMoved.ref)} moved since the run started (${report.baseMoved.commit ? `now ${escapeHtml(report.baseMoved.commit.slice(0, 10))}` : 'gone'}); changes are counted against the run's base.</p>`
      : ''
  }
<nav>
<a href="#summary">Summary</a>
<a href="#overlap">Overlap</a>
${ranked.map((c) => `<a href="#candidate-${c.n}">${escapeHtml(c.name)}</a>`).join('\n')}
<span class="view-switch">Diffs: <label for="view-side">side by side</label> <label for="view-line">unified</label></span>
</nav>
</header>
<main>
${summarySection(report, ranked)}
${overlapSection(report)}
${ranked.map((c) => candidateSection(c, input)).join('\n')}
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
<td class="num">${c.filesChanged}${c.binaryFiles > 0 ? ` <span class="muted">(${c.binaryFiles} binary)</span>` : ''}</td>
<td class="num"><span class="added">+${c.added}</span> <span class="deleted">−${c.deleted}</span></td>
<td>${escapeHtml(uncommittedText(c))}</td>
<td>${checkCell(c)}</td>
</tr>`,
  );
  return `<section id="summary">
<h2>Summary</h2>
<table class="summary">
<thead><tr><th>Rank</th><th>N</th><th>Candidate</th><th>Agent</th><th>State</th><th>Commits</th><th>Files</th><th>+/−</th><th>Uncommitted</th><th>Check</th></tr></thead>
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
      const shade = Math.round(95 - pair.lines * 40);
      return `<td style="background:hsl(140 45% ${shade}%)" title="${pair.sharedFiles} shared files">files ${percent(pair.files)}<br>lines ${percent(pair.lines)}</td>`;
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

function candidateSection(c: CandidateReport, input: HtmlReportInput): string {
  const patch = input.patches.get(c.n) ?? '';
  const tail = input.logTails.get(c.n);
  const facts = [
    `branch <code>${escapeHtml(c.branch)}</code>`,
    c.commits === null ? 'branch gone' : `${c.commits} commit${c.commits === 1 ? '' : 's'}`,
    `${c.filesChanged} file${c.filesChanged === 1 ? '' : 's'}`,
    `<span class="added">+${c.added}</span> <span class="deleted">−${c.deleted}</span>`,
    `uncommitted: ${escapeHtml(uncommittedText(c))}`,
    `worktree <code>${escapeHtml(c.worktree)}</code>${c.worktreeMissing ? ' (missing)' : ''}`,
  ];
  const check = c.check
    ? `<details class="check"><summary>Check: ${checkCell(c)}</summary>
<pre>${escapeHtml(tail ?? '(no log)')}</pre>
</details>`
    : '';
  const diffs =
    patch.trim() === ''
      ? '<p class="muted">No changes against the base.</p>'
      : (['side-by-side', 'line-by-line'] as const)
          .map((format) => {
            const view = format === 'side-by-side' ? 'side' : 'line';
            const rendered = diffToHtml(withTrueNames(patch, c), {
              outputFormat: format,
              drawFileList: true,
            });
            return `<div class="diff view-${view}">${scopeIds(rendered, `c${c.n}-${view}-`)}</div>`;
          })
          .join('\n');
  return `<section class="candidate" id="candidate-${c.n}" data-candidate="${c.n}">
<h2>#${c.rank} ${escapeHtml(c.name)} <span class="muted">· ${escapeHtml(c.agent)} · ${escapeHtml(c.state)}</span></h2>
<p class="facts">${facts.join(' · ')}</p>
${check}
${diffs}
</section>`;
}

/**
 * diff2html derives element ids from file names, so the same file in two candidates (or in the two views)
 * would share an id and the file list would jump to the wrong diff. Prefix them per candidate and view.
 * Diff content cannot forge the pattern: diff2html escapes the quotes in it.
 */
function scopeIds(rendered: string, prefix: string): string {
  return rendered
    .replaceAll('id="d2h-', `id="${prefix}d2h-`)
    .replaceAll('href="#d2h-', `href="#${prefix}d2h-`);
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

/**
 * The patch parsed by diff2html, with each file's name replaced by the true one: git C-quotes names
 * with special characters in patch headers (`"tab\\there.txt"`, octal for non-ASCII), which diff2html
 * does not unquote. The names come from `--numstat -z` (never quoted), whose files are in the same
 * order as the patch's (both from diff-tree over the same trees, without renames).
 */
function withTrueNames(patch: string, c: CandidateReport): ReturnType<typeof parseDiff> {
  const files = parseDiff(patch);
  if (files.length !== c.files.length) return files;
  files.forEach((file, i) => {
    const name = c.files[i]!.path;
    if (file.oldName !== '/dev/null') file.oldName = name;
    if (file.newName !== '/dev/null') file.newName = name;
  });
  return files;
}

function uncommittedText(c: CandidateReport): string {
  if (c.uncommitted === null) return 'worktree missing';
  const { changed, untracked } = c.uncommitted;
  if (changed === 0 && untracked === 0) return 'no';
  return [changed > 0 ? `${changed} changed` : '', untracked > 0 ? `${untracked} untracked` : '']
    .filter(Boolean)
    .join(', ');
}

function fileList(files: string[]): string {
  if (files.length === 0) return '<span class="muted">none</span>';
  return files.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ');
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
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
#view-side:checked ~ header label[for="view-side"], #view-line:checked ~ header label[for="view-line"] { background: #0969da; color: #fff; border-color: #0969da; }
#view-side:checked ~ main .view-line, #view-line:checked ~ main .view-side { display: none; }
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
`;
