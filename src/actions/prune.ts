import { parseDuration } from '../core/durations.js';
import { UsageError } from '../errors.js';
import { type ArchiveEntry, dropArchives } from '../io/archive.js';
import { readRepo } from '../io/git.js';
import { formatAge, formatTable, type Reporter } from '../output/reporter.js';

export interface PruneArgs {
  /** Drop archives (refs/git-parallel/…). */
  archives: boolean;
  /** A duration such as 30d: only what is older. */
  olderThan?: string;
  dryRun: boolean;
}

interface PruneIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  now: Date;
}

/**
 * `git parallel prune --archives [--older-than 30d]`. Each kind of thing prune can drop is one entry
 * below with its own flag; the command asks for at least one, so a bare `prune` never drops anything
 * by surprise. (A later mode, e.g. damaged runs, adds an entry and a flag.)
 */
const MODES: {
  flag: keyof PruneArgs & string;
  describe: string;
  run: (args: PruneArgs, io: PruneIo) => Promise<unknown>;
}[] = [{ flag: 'archives', describe: 'archived candidates under refs/git-parallel/', run: pruneArchives }];

export async function prune(args: PruneArgs, io: Omit<PruneIo, 'now'>): Promise<void> {
  const chosen = MODES.filter((mode) => args[mode.flag] === true);
  if (chosen.length === 0) {
    throw new UsageError(`say what to prune: ${MODES.map((m) => `--${m.flag} (${m.describe})`).join(', ')}`);
  }
  if (args.olderThan !== undefined && !args.archives)
    throw new UsageError('--older-than goes with --archives');
  const results: Record<string, unknown> = {};
  for (const mode of chosen) results[mode.flag] = await mode.run(args, { ...io, now: new Date() });
  io.reporter.document({ dryRun: args.dryRun, ...results });
}

async function pruneArchives(args: PruneArgs, io: PruneIo): Promise<object[]> {
  const olderThanMs = args.olderThan === undefined ? null : parseDuration(args.olderThan);
  const repo = await readRepo(io.cwd);
  const dropped = await dropArchives(repo.mainRoot, { olderThanMs, now: io.now, dryRun: args.dryRun });
  if (!io.reporter.json) reportDropped(dropped, args, io);
  return dropped.map((a) => ({
    ref: a.ref,
    task: a.task,
    n: a.n,
    commit: a.commit,
    archivedAt: a.archivedAt.toISOString(),
  }));
}

function reportDropped(dropped: ArchiveEntry[], args: PruneArgs, io: PruneIo): void {
  const limit = args.olderThan ? ` older than ${args.olderThan}` : '';
  if (dropped.length === 0) {
    io.reporter.info(`No archives${limit} to drop.`);
    return;
  }
  const rows = dropped.map((a) => [a.ref, a.commit.slice(0, 10), `${formatAge(a.archivedAt, io.now)} ago`]);
  for (const line of formatTable(['ARCHIVE', 'COMMIT', 'ARCHIVED'], rows)) io.reporter.print(line);
  io.reporter.info(
    args.dryRun
      ? `Would drop ${dropped.length} archive${dropped.length === 1 ? '' : 's'}${limit}.`
      : `Dropped ${dropped.length} archive${dropped.length === 1 ? '' : 's'}${limit}; their commits stay recoverable by id until git's garbage collection.`,
  );
}
