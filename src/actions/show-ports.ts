import type { RunManifest } from '../core/types.js';
import { UsageError } from '../errors.js';
import { readRepo } from '../io/git.js';
import { listManifests, requireManifest } from '../io/state.js';
import { formatTable, type Reporter } from '../output/reporter.js';

/** `git parallel ports [<task>]`: every candidate's ports, for one run or all of them. */
export async function showPorts(
  task: string | undefined,
  io: { cwd: string; reporter: Reporter },
): Promise<void> {
  const repo = await readRepo(io.cwd);
  const manifests: RunManifest[] = task
    ? [(await requireManifest(repo.commonDir, task)).manifest]
    : (await listManifests(repo.commonDir)).flatMap((r) => (r.manifest ? [r.manifest] : []));
  const rows = manifests.flatMap((m) =>
    m.candidates.map((c) => ({
      task: m.task,
      candidate: c.name,
      n: c.n,
      branch: c.branch,
      slot: c.slot,
      ports: c.ports,
    })),
  );
  io.reporter.document({ ports: rows });
  if (io.reporter.json) return;
  if (rows.length === 0) {
    if (task) throw new UsageError(`the run ${task} has no candidates`);
    io.reporter.info('No runs, so no ports.');
    return;
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.ports)))];
  const table = rows.map((r) => [
    r.candidate,
    String(r.slot),
    ...names.map((name) => String(r.ports[name] ?? '-')),
  ]);
  for (const line of formatTable(['CANDIDATE', 'SLOT', ...names], table)) io.reporter.print(line);
}
