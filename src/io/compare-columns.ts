import { type FileChange, splitPatch } from '../core/compare-files.js';
import type { CompareReport } from '../core/compare-report.js';
import { alignVersions, type SharedFile } from '../core/file-columns.js';
import { LARGE_FILE_LINES } from '../output/html-diffs.js';
import { readBlob } from './git.js';

/**
 * For each file that two or more candidates changed: their versions aligned on the base file's lines.
 * Each candidate's patch of the file comes from its whole patch (same order as its files); the base
 * version is the blob its change starts from. Candidates whose change starts from another version of
 * the file (counted from another merge base after the base moved) are left out of the columns, and the
 * note says so.
 */
export async function sharedFiles(
  cwd: string,
  report: CompareReport,
  patches: ReadonlyMap<number, string>,
): Promise<SharedFile[]> {
  const byPath = new Map<string, { n: number; name: string; change: FileChange; section: string }[]>();
  for (const c of report.candidates) {
    const sections = splitPatch(patches.get(c.n) ?? '');
    if (sections.length !== c.files.length) continue;
    c.files.forEach((change, i) => {
      const list = byPath.get(change.path) ?? [];
      list.push({ n: c.n, name: c.name, change, section: sections[i]! });
      byPath.set(change.path, list);
    });
  }
  const shared: SharedFile[] = [];
  for (const [path, all] of [...byPath].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (all.length < 2) continue;
    const baseBlob = all[0]!.change.oldBlob;
    const same = all.filter((e) => e.change.oldBlob === baseBlob);
    const others = all.filter((e) => e.change.oldBlob !== baseBlob).map((e) => e.name);
    const columns = same.map(({ n, name }) => ({ n, name }));
    const otherNote =
      others.length > 0 ? `${others.join(', ')} changed another version of it (after the base moved)` : null;
    if (same.some((e) => e.change.binary)) {
      shared.push({
        path,
        columns,
        rows: null,
        note: 'binary in some candidates: see each candidate’s diff',
      });
      continue;
    }
    if (same.some((e) => e.change.added + e.change.deleted > LARGE_FILE_LINES)) {
      shared.push({
        path,
        columns,
        rows: null,
        note: `over ${LARGE_FILE_LINES.toLocaleString('en-US')} changed lines in some candidate: see git parallel diff ${report.task} --file`,
      });
      continue;
    }
    const base = /^0+$/.test(baseBlob) ? '' : await readBlob(cwd, baseBlob);
    const lines = base.split('\n');
    if (lines.at(-1) === '') lines.pop();
    shared.push({
      path,
      columns,
      rows: alignVersions(
        lines,
        same.map((e) => e.section),
      ),
      note: otherNote,
    });
  }
  return shared;
}
