import { redact } from '../core/database-name.js';
import { shellQuote } from '../core/pane-script.js';
import type { PreparationPlan } from '../core/preparation-plan.js';
import type { RunPlan } from '../core/run-plan.js';
import type { RunManifest } from '../core/types.js';
import type { Reporter } from './reporter.js';

/** The base as people name it: its branch and short commit, or the commit alone. */
export function describeBase(manifest: RunManifest): string {
  const short = manifest.base.commit.slice(0, 10);
  return manifest.base.ref ? `${manifest.base.ref} (${short})` : short;
}

/** A command line as a user would type it: words quoted only where a shell would read them otherwise. */
function commandText(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : shellQuote(word))).join(' ');
}

/**
 * `--dry-run`: the whole plan, as JSON (the manifest run.json would hold, each agent's command line with
 * its prompt, the preparation, the session's panes, the warnings), or as text on stdout.
 */
export function reportRunPlan(plan: RunPlan, reporter: Reporter): void {
  const { manifest } = plan;
  const preparation = printablePreparation(plan.preparation);
  const { postgres } = preparation;
  reporter.document({
    dryRun: true,
    plan: manifest,
    prompt: plan.prompt,
    agents: plan.starts,
    preparation,
    session: plan.session,
    warnings: plan.warnings,
  });
  if (reporter.json) return;
  for (const line of plan.warnings) reporter.warn(line);
  reporter.print(`Would create the run ${manifest.task} from ${describeBase(manifest)}:`);
  for (const [index, c] of manifest.candidates.entries()) {
    const ports = Object.entries(c.ports)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    reporter.print(`  ${c.name}  branch ${c.branch}  ${c.worktree}  ${c.agent}  ${ports}`);
    const start = plan.starts[index]!;
    const stdin = start.prompt === 'stdin' ? '  (the prompt on its standard input)' : '';
    reporter.print(`    ${commandText(start.argv)}${stdin}`);
    const database = postgres?.databases.find((d) => d.n === c.n);
    if (postgres && database) reporter.print(`    ${postgres.env}: database ${database.database}`);
  }
  reporter.print('Each worktree is prepared:');
  for (const line of preparationLines(plan)) reporter.print(`  ${line}`);
  reporter.print(
    manifest.mux.session
      ? `in the ${manifest.mux.kind} session ${manifest.mux.session}, layout ${manifest.mux.layout}, ${manifest.candidates.length} pane${manifest.candidates.length === 1 ? '' : 's'}${manifest.mux.tab ? ' (a new tab)' : ''}`
      : 'with no multiplexer (each agent is started with git parallel launch)',
  );
  if (plan.prompt === null) reporter.print('with no prompt');
  else {
    reporter.print(`The prompt (${plan.prompt.length} characters):`);
    for (const line of plan.prompt.split('\n')) reporter.print(`  ${line}`);
  }
}

/** The preparation as it is printed: the database URL without its password. */
export function printablePreparation(preparation: PreparationPlan): PreparationPlan {
  const { postgres } = preparation;
  return { ...preparation, postgres: postgres && { ...postgres, url: redact(postgres.url) } };
}

function preparationLines(plan: RunPlan): string[] {
  const p = plan.preparation;
  const lines = p.files.map((f) => `${f.how} ${f.path}${f.isDir ? '/' : ''}`);
  if (p.envFile !== null) lines.push(`envFile ${p.envFile}: its ports and variables written in`);
  lines.push(
    p.deps.method === 'none'
      ? `dependencies: none (${p.deps.reason})`
      : `dependencies: ${p.deps.method}${p.deps.method === 'install' ? ` (${p.deps.install})` : ''}, ${p.deps.reason}`,
  );
  for (const file of p.sqlite) lines.push(`database.sqlite ${file}: a snapshot of the main worktree's`);
  if (p.postgres)
    lines.push(`database.postgres: a copy of ${redact(p.postgres.url)} each, in ${p.postgres.env}`);
  for (const command of p.postCreate) lines.push(`postCreate: ${command}`);
  for (const command of p.setup) lines.push(`setup: ${command}`);
  if (lines.length === 1 && p.deps.method === 'none') return ['nothing to copy, install or run'];
  return lines;
}

/** After a run is made: what was started, and how to get to it. */
export function reportCreatedRun(
  manifest: RunManifest,
  made: {
    attach: string[];
    /** The driver's own words for getting to the session, when more than a command. */
    hint: string | null;
    setupFailures: { n: number; candidate: string }[];
  },
  reporter: Reporter,
): void {
  const { setupFailures } = made;
  reporter.document({
    run: manifest,
    attach: made.attach.length > 0 ? made.attach : null,
    start: startCommands(manifest),
    setupFailures,
  });
  if (reporter.json) return;
  const started = manifest.candidates.length - setupFailures.length;
  const skipped =
    setupFailures.length > 0
      ? ` (not ${setupFailures.map((f) => f.candidate).join(', ')}: setup failed)`
      : '';
  const agents = `${started} agent${started === 1 ? '' : 's'} for ${manifest.task}${skipped}`;
  // With no multiplexer nothing was started: the worktrees are ready and the user starts each agent.
  if (manifest.mux.kind === 'none') {
    reporter.info(`Prepared ${agents}; none is started (--mux none).`);
    reporter.print('Start each agent in its own terminal:');
    for (const line of startCommands(manifest)) reporter.print(`  ${line}`);
  } else {
    reporter.info(`Started ${agents}.`);
    reporter.print(`Attach: ${made.hint || commandText(made.attach)}`);
  }
}

/** For --mux none: one command per candidate that starts its agent with its environment. */
function startCommands(manifest: RunManifest): string[] {
  return manifest.candidates.map((c) => `git parallel launch ${manifest.task} ${c.n}`);
}
