import { randomBytes } from 'node:crypto';
import { html as diffToHtml, parse as parseDiff } from 'diff2html';
import { shellQuote } from '../core/command-text.js';
import {
  changeNotes,
  type FileChange,
  headerOf,
  sectionsByHeader,
  splitPatch,
} from '../core/compare-files.js';
import type { SharedFile } from '../core/file-columns.js';
import { escapeHtml } from './html-escape.js';

/**
 * The diffs of the HTML report, one `<details>` per file, each in three views (side by side, unified,
 * ignoring whitespace), within a size budget so that a run with huge files still gives a page a browser
 * opens in seconds:
 *   - a file with more than LARGE_FILE_LINES changed lines is not rendered; its row says so and names
 *     the command that shows it;
 *   - a file with more than COLLAPSE_LINES changed lines starts collapsed;
 *   - once the rendered diffs reach the report's budget, the remaining files are cut, each with a note,
 *     and the report says how many were cut.
 */
export const LARGE_FILE_LINES = 2_000;
export const COLLAPSE_LINES = 300;
export const DIFF_BUDGET_BYTES = 4_000_000;

/** How much of the budget is left, and what was cut: shared by every candidate's diffs in one report. */
export class DiffBudget {
  remaining: number;
  cutFiles = 0;
  tooLargeFiles = 0;
  constructor(bytes = DIFF_BUDGET_BYTES) {
    this.remaining = bytes;
  }
}

export interface CandidateDiffInput {
  /** The candidate's number, for ids. */
  n: number;
  /** The command that shows one of its files in full (`git parallel diff t 3 --`). */
  diffCommand: string;
  files: FileChange[];
  patch: string;
  /** The same patch with whitespace ignored (`diff-tree -w`), or null when not read. */
  patchIgnoringWhitespace: string | null;
}

export function renderCandidateDiffs(input: CandidateDiffInput, budget: DiffBudget): string {
  const sections = splitPatch(input.patch);
  if (sections.length === 0) return '<p class="muted">No changes against the base.</p>';
  // `-w` drops a file whose every change is whitespace; the others keep their `diff --git` line.
  const ignoringWhitespace =
    input.patchIgnoringWhitespace === null ? null : sectionsByHeader(input.patchIgnoringWhitespace);
  const aligned = sections.length === input.files.length;
  const nonce = randomBytes(6).toString('hex');
  return sections
    .map((section, i) => {
      const change = aligned ? input.files[i]! : null;
      const id = `c${input.n}-f${i}`;
      const name = change ? escapeHtml(change.path) : `file ${i + 1}`;
      const lines = change ? change.added + change.deleted : section.split('\n').length;
      const counts = change?.binary ? 'binary' : change ? `+${change.added} −${change.deleted}` : '';
      const show = change
        ? `<code>${escapeHtml(`${input.diffCommand} ${shellQuote(change.path)}`)}</code>`
        : 'git parallel diff';
      if (lines > LARGE_FILE_LINES) {
        budget.tooLargeFiles++;
        return `<details class="file" id="${id}"><summary>${name} <span class="muted">${counts}</span> <span class="cut">too large to show here (${lines.toLocaleString('en-US')} changed lines); see ${show}</span></summary></details>`;
      }
      const ws = ignoringWhitespace?.get(headerOf(section));
      // As whitespaceOnlyFiles decides for the text and --json.
      const whitespaceOnly =
        ignoringWhitespace !== null && /^@@/m.test(section) && (ws === undefined || !/^@@/m.test(ws));
      const wsSame = !whitespaceOnly && (ws === undefined || ws === section);
      const views = [
        ['side', renderSection(section, change, 'side-by-side', `${id}-side-`, nonce)],
        ['line', renderSection(section, change, 'line-by-line', `${id}-line-`, nonce)],
      ];
      if (!wsSame) {
        views.push([
          'ws',
          ws === undefined
            ? '<p class="muted">Only whitespace changed in this file.</p>'
            : renderSection(ws, change, 'line-by-line', `${id}-ws-`, nonce),
        ]);
      }
      const body = views.map(([view, html]) => `<div class="view-${view}">${html}</div>`).join('');
      if (body.length > budget.remaining) {
        budget.cutFiles++;
        return `<details class="file" id="${id}"><summary>${name} <span class="muted">${counts}</span> <span class="cut">cut to keep the report small; see ${show}</span></summary></details>`;
      }
      budget.remaining -= body.length;
      const open = lines > COLLAPSE_LINES ? '' : ' open';
      const note =
        lines > COLLAPSE_LINES
          ? ` <span class="muted">(${lines.toLocaleString('en-US')} changed lines: collapsed)</span>`
          : '';
      return `<details class="file${wsSame ? ' ws-same' : ''}" id="${id}"${open}><summary>${name} <span class="muted">${counts}</span>${note}</summary>${body}</details>`;
    })
    .join('\n');
}

/**
 * One file's section rendered by diff2html, with its names replaced by placeholders first and put back
 * after: git C-quotes names with special characters in patch headers (`"tab\\there.txt"`, octal for
 * non-ASCII), which diff2html does not unquote, and diff2html turns every backslash into `/`. The true
 * names come from `--raw --numstat -z` (never quoted), in the same order as the patch (both from
 * diff-tree over the same trees with the same rename detection). The placeholders hold a random nonce,
 * so no text in a diff can forge one. A line's trailing CR is shown as ␍, so a CRLF change is visible.
 */
function renderSection(
  section: string,
  change: FileChange | null,
  format: 'side-by-side' | 'line-by-line',
  idPrefix: string,
  nonce: string,
): string {
  const files = parseDiff(section.replace(/\r$/gm, '␍'));
  const names = new Map<string, string>();
  const file = files[0];
  if (change && file && files.length === 1) {
    const notes = changeNotes(change).filter((note) => !/^(renamed|copied) from /.test(note));
    const noteHtml =
      notes.length > 0 ? ` <span class="file-note">${escapeHtml(notes.join(' · '))}</span>` : '';
    const oldToken = `gpname${nonce}o`;
    const newToken = `gpname${nonce}n`;
    // An unrenamed file has one name, shown once (a deleted file's is its old name).
    if (file.oldName !== '/dev/null') file.oldName = change.oldPath === null ? newToken : oldToken;
    if (file.newName !== '/dev/null') file.newName = newToken;
    if (change.oldPath !== null) names.set(oldToken, escapeHtml(change.oldPath));
    names.set(newToken, `${escapeHtml(change.path)}${noteHtml}`);
  }
  const rendered = diffToHtml(files, { outputFormat: format, drawFileList: false })
    .replaceAll('id="d2h-', `id="${idPrefix}d2h-`)
    .replaceAll('href="#d2h-', `href="#${idPrefix}d2h-`);
  if (names.size === 0) return rendered;
  return rendered.replace(/gpname[0-9a-f]{12}[on]/g, (token) => names.get(token) ?? token);
}

/** The candidate's files as a table linking to each diff: status letter, names, lines and notes. */
export function fileTable(n: number, files: FileChange[]): string {
  if (files.length === 0) return '';
  const rows = files.map(
    (f, i) =>
      `<tr><td class="status status-${f.status}" title="${STATUS_WORDS[f.status]}">${f.status}</td><td><a href="#c${n}-f${i}">${
        f.oldPath !== null ? `<code>${escapeHtml(f.oldPath)}</code> → ` : ''
      }<code>${escapeHtml(f.path)}</code></a></td><td class="num">${
        f.binary
          ? 'binary'
          : `<span class="added">+${f.added}</span> <span class="deleted">−${f.deleted}</span>`
      }</td><td>${escapeHtml(changeNotes(f).join(' · '))}</td></tr>`,
  );
  return `<table class="files"><thead><tr><th>Status</th><th>File</th><th>Lines</th><th>Notes</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

const STATUS_WORDS: Record<string, string> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type changed',
};

/** Candidates' versions of one file side by side: a column per candidate, rows aligned on the base. */
export function renderSharedFile(task: string, file: SharedFile, budget: DiffBudget): string {
  const title = `<code>${escapeHtml(file.path)}</code> <span class="muted">· ${file.columns.map((c) => escapeHtml(c.name)).join(' · ')}</span>`;
  const command = `<code>${escapeHtml(`git parallel diff ${task} --file ${shellQuote(file.path)}`)}</code>`;
  const note = file.note ? `<p class="muted">${escapeHtml(file.note)}</p>` : '';
  if (file.rows === null) {
    budget.tooLargeFiles++;
    return `<details class="file shared"><summary>${title}</summary>${note}<p class="cut">not shown here; see ${command}</p></details>`;
  }
  const head = `<tr><th></th>${file.columns.map((c) => `<th>${escapeHtml(c.name)}</th>`).join('')}</tr>`;
  const body = file.rows
    .map((row) => {
      if ('gap' in row)
        return `<tr class="gap"><td></td><td colspan="${file.columns.length}">⋯ ${row.gap} unchanged line${row.gap === 1 ? '' : 's'}</td></tr>`;
      const cells = row.cells
        .map(
          (cell) =>
            `<td class="col-${cell.kind}">${cell.kind === 'empty' ? '' : escapeHtml(cell.text.replace(/\r$/, '␍'))}</td>`,
        )
        .join('');
      return `<tr><td class="ln">${row.baseLine ?? ''}</td>${cells}</tr>`;
    })
    .join('\n');
  const table = `<table class="columns"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
  if (table.length > budget.remaining) {
    budget.cutFiles++;
    return `<details class="file shared"><summary>${title}</summary>${note}<p class="cut">cut to keep the report small; see ${command}</p></details>`;
  }
  budget.remaining -= table.length;
  return `<details class="file shared" open><summary>${title}</summary>${note}${table}</details>`;
}
