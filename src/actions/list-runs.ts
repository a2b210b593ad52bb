import { lineupText } from '../core/lineup.js';
import type { RunManifest } from '../core/types.js';
import { driverFor } from '../io/drivers.js';
import { readRepo } from '../io/git.js';
import { listManifests } from '../io/state.js';
import { creationInProgress } from '../io/unfinished-checkout.js';
import { formatAge, formatTable, type Reporter } from '../output/reporter.js';

export interface RunSummary {
  task: string;
  agents: string;
  /** How many candidates: `candidates` is a list of them everywhere else in --json (issue 11 item 8). */
  candidateCount: number;
  base: { commit: string; ref: string | null } | null;
  createdAt: string | null;
  session: string | null;
  mux: string | null;
  sessionAlive: boolean | null;
  /** `creating` (in progress: its process is alive), `unfinished` (killed during creation), `ready` or `damaged`. */
  phase: string;
  problem: string | null;
}

/** `git parallel list`: one line per run. */
export async function listRuns(io: {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}): Promise<void> {
  const repo = await readRepo(io.cwd);
  const reads = await listManifests(repo.commonDir);
  const summaries: RunSummary[] = [];
  for (const read of reads) {
    if (read.manifest === null) {
      summaries.push({
        task: read.task,
        agents: '?',
        candidateCount: 0,
        base: null,
        createdAt: null,
        session: null,
        mux: null,
        sessionAlive: null,
        phase: 'damaged',
        problem: read.problem,
      });
      continue;
    }
    summaries.push(await summarise(read.manifest, io.env));
  }
  io.reporter.document({ runs: summaries });
  if (io.reporter.json) return;
  if (summaries.length === 0) {
    io.reporter.info('No runs. Start one with: git parallel <task> --agents 3 --prompt "…"');
    return;
  }
  const now = new Date();
  const rows = summaries.map((s) => [
    s.task,
    s.agents,
    s.base ? `${s.base.ref ?? '(detached)'}@${s.base.commit.slice(0, 7)}` : '?',
    s.createdAt ? formatAge(new Date(s.createdAt), now) : '?',
    s.problem ? `damaged: ${s.problem}` : sessionState(s),
  ]);
  for (const line of formatTable(['TASK', 'AGENTS', 'BASE', 'AGE', 'SESSION'], rows)) io.reporter.print(line);
}

async function summarise(manifest: RunManifest, env: NodeJS.ProcessEnv): Promise<RunSummary> {
  const session = manifest.mux.session;
  const sessionAlive = session
    ? await (await driverFor(manifest.mux.kind, env)).sessionExists(session)
    : null;
  return {
    task: manifest.task,
    agents: lineupText(manifest),
    candidateCount: manifest.candidates.length,
    base: { commit: manifest.base.commit, ref: manifest.base.ref },
    createdAt: manifest.createdAt,
    session,
    mux: manifest.mux.kind,
    sessionAlive,
    // Issue 10 F7: a creation whose process is alive is in progress, not something for rm to clean.
    phase: manifest.phase === 'creating' && !creationInProgress(manifest) ? 'unfinished' : manifest.phase,
    problem: null,
  };
}

function sessionState(s: RunSummary): string {
  const phase =
    s.phase === 'unfinished'
      ? ' (creation did not finish: git parallel rm cleans it)'
      : s.phase === 'creating'
        ? ' (being created)'
        : '';
  if (!s.session) return `no multiplexer${phase}`;
  return `${s.mux} ${s.session} ${s.sessionAlive ? 'alive' : 'gone'}${phase}`;
}
