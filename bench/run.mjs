// `npm run bench`: what a candidate costs (issue 18) — memory, start-up, and how the cost grows with N —
// against the floor git (or Node) itself sets, measured in the same run, interleaved, on packed
// fixtures built offline (bench/lib.mjs). Every figure is printed with its target and whether it is met.
// Writes bench/results/latest.{json,md}; `node scripts/bench-table.mjs` (or `--update-readme`) puts the
// table into README.md.
//
//   node bench/run.mjs [--quick] [--update-readme]
//
// --quick: 2 interleaved runs per comparison and one round of the growth table (default 5 and 2).
// BENCH_RUNS overrides the runs per comparison; BENCH_ONLY=<startup|read|create|growth> runs one part.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BIN,
  benchEnv,
  fixture,
  interleave,
  makeChangedCandidates,
  ROOT,
  run,
  timeCommand,
  timeSteps,
  timeWithPeak,
} from './lib.mjs';

const QUICK = process.argv.includes('--quick');
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 2 : 5));
const GROWTH_N = [1, 4, 16, 32];
const GROWTH_ROUNDS = QUICK ? 1 : 2;
const ONLY = process.env.BENCH_ONLY ?? '';
const part = (name) => !ONLY || ONLY === name;

const { env, tmux, killTmux } = benchEnv();
process.on('exit', killTmux);
const fixtureOf = (kind) => fixture(kind, env, killTmux);

/** Every figure: what was measured, its target, and whether it is met (null: reported, no target). */
const figures = [];
const figure = (section, name, measured, target, pass) => {
  figures.push({ section, name, measured, target, pass });
  console.error(`${pass === null ? '·' : pass ? '✓' : '✗'} ${name}: ${measured} (target ${target})`);
};
const ms = (v) => `${v.toFixed(0)} ms`;
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
const ratioFigure = (section, result, target) =>
  figure(
    section,
    `${result.name} vs ${result.baselineName}`,
    `${ms(result.tool.median)} vs ${ms(result.baseline.median)} = ${result.ratio.toFixed(2)}×`,
    `≤ ${target.toFixed(1)}×`,
    result.ratio <= target,
  );

function startupScenario(fx, args) {
  return {
    name: `git parallel ${args.join(' ')}`,
    baselineName: 'node -e 0',
    baseline: () => timeCommand(process.execPath, ['-e', '0'], { cwd: fx.repo, env }),
    tool: () => timeCommand(process.execPath, [BIN, ...args], { cwd: fx.repo, env }),
  };
}

/** N × what a person would do by hand: `git worktree add -b` and copy the `.env`. */
function createFloor(fx, n) {
  return timeSteps(
    Array.from({ length: n }, (_, i) => () => {
      const wt = path.join(fx.worktrees, `base-${i + 1}`);
      fx.git('worktree', 'add', '--quiet', '-b', `base-${i + 1}`, wt);
      run('cp', [path.join(fx.repo, '.env'), path.join(wt, '.env')], { env });
    }),
  );
}

function createScenario(fx, n) {
  return {
    name: `create ${n} (${fx.files} files)`,
    baselineName: `${n} × (git worktree add -b + cp .env)`,
    cleanup: fx.removeAll,
    baseline: () => createFloor(fx, n),
    tool: () =>
      timeCommand(process.execPath, [BIN, 'bench', '--agents', `shell:${n}`, '--mux', 'none'], {
        cwd: fx.repo,
        env,
      }),
  };
}

/** A run of n candidates, each with changes like agents leave them (bench/lib.mjs). */
function prepareChangedRun(fx, n) {
  fx.removeAll();
  fx.gp('bench', '--agents', `shell:${n}`, '--mux', 'none');
  makeChangedCandidates(fx, 'bench', n, env);
}

/** What a person would type to get the same numbers status/compare show, candidate after candidate. */
function plainGitNumbers(fx, n, withPatch) {
  const base = fx.git('rev-parse', 'main').trim();
  return timeSteps(
    Array.from({ length: n }, (_, i) => () => {
      const wt = path.join(fx.worktrees, `bench-${i + 1}`);
      run('git', ['rev-list', '--count', `${base}..HEAD`], { cwd: wt, env });
      run('git', ['status', '--porcelain'], { cwd: wt, env });
      run('git', ['diff', '--numstat', base], { cwd: wt, env });
      if (withPatch) run('git', ['diff', base], { cwd: wt, env });
    }),
  );
}

const readArgs = (command, task) => [
  command,
  task,
  '--json',
  ...(command === 'compare' ? ['--no-check'] : []),
];

function readScenario(fx, n, command) {
  return {
    name: `${command} of ${n}`,
    baselineName: `git rev-list + status + diff --numstat${command === 'compare' ? ' + diff' : ''} × ${n}`,
    baseline: () => plainGitNumbers(fx, n, command === 'compare'),
    tool: () => timeCommand(process.execPath, [BIN, ...readArgs(command, 'bench')], { cwd: fx.repo, env }),
  };
}

const processTable = () =>
  run('ps', ['-A', '-o', 'pid=,ppid=,rss=,comm='], { env })
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/))
    .filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rssKb: Number(m[3]), command: m[4] }));
const subtree = (table, root) => {
  const found = table.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...table.filter((p) => p.ppid === found[i].pid));
  return found;
};
const sleepSync = (millis) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, millis);

/**
 * Resident memory of each pane beyond its agent: the pane's process tree (`ps`) less the agent's own
 * tree (the pid its launcher recorded), once every agent has started.
 */
function paneMemory(fx, task, n) {
  const records = path.join(fx.repo, '.git', 'parallel', task, 'agents');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pids = Array.from({ length: n }, (_, i) => {
      const file = path.join(records, `${i + 1}.json`);
      return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).pid : undefined;
    });
    if (pids.every(Boolean)) {
      const table = processTable();
      const panes = tmux('list-panes', '-a', '-F', '#{pane_pid}').trim().split('\n').map(Number);
      const agentTrees = pids.map((pid) => subtree(table, pid));
      const agentPids = new Set(agentTrees.flat().map((p) => p.pid));
      const launcherKb = panes.map((pid) =>
        subtree(table, pid)
          .filter((p) => !agentPids.has(p.pid))
          .reduce((sum, p) => sum + p.rssKb, 0),
      );
      const agentKb = agentTrees.map((t) => t.reduce((sum, p) => sum + p.rssKb, 0));
      return { launcherKb, agentKb };
    }
    if (Date.now() > deadline) throw new Error(`the ${n} agents of ${task} did not all start`);
    sleepSync(100);
  }
}

/** The least-squares slope of y over x: the cost of one more candidate. */
function slope(xs, ys) {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return num / den;
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const small = fixtureOf('small');
const large = fixtureOf('large');
for (const fx of [small, large])
  console.error(`fixture ${fx.kind}: ${fx.files} files, ${fx.loose} loose objects (packed) — ${fx.repo}`);
console.error(`${RUNS} interleaved runs per comparison, ${GROWTH_ROUNDS} round(s) of the growth table`);
const peaks = [];
const growthRows = [];

if (part('growth')) {
  // Growth with N, real tmux on a private server, agents that sleep: create, status, compare, rm.
  const samples = new Map(GROWTH_N.map((n) => [n, { create: [], status: [], compare: [], rm: [] }]));
  let memory = null;
  const largestPeak = new Map();
  for (let round = 0; round < GROWTH_ROUNDS; round++) {
    for (const n of GROWTH_N) {
      small.removeAll();
      const s = samples.get(n);
      const opts = { cwd: small.repo, env };
      const create = timeWithPeak([BIN, 'grow', '--agents', `sleeper:${n}`, '--no-attach'], opts);
      s.create.push(create.ms);
      const pane = paneMemory(small, 'grow', n);
      const status = timeWithPeak([BIN, ...readArgs('status', 'grow')], opts);
      const compare = timeWithPeak([BIN, ...readArgs('compare', 'grow')], opts);
      const rm = timeWithPeak([BIN, 'rm', 'grow'], opts);
      s.status.push(status.ms);
      s.compare.push(compare.ms);
      s.rm.push(rm.ms);
      if (n === GROWTH_N.at(-1)) {
        // The largest of the rounds: the figures are what a machine must have free.
        memory = memory && Math.max(...memory.launcherKb) > Math.max(...pane.launcherKb) ? memory : pane;
        for (const [command, result] of Object.entries({ create, status, compare, rm }))
          largestPeak.set(command, Math.max(largestPeak.get(command) ?? 0, result.peakKb));
      }
    }
  }
  small.removeAll();
  for (const [command, kb] of largestPeak) peaks.push([command, kb, `${GROWTH_N.at(-1)} candidates, tmux`]);
  for (const n of GROWTH_N) {
    const s = samples.get(n);
    growthRows.push({
      n,
      create: median(s.create),
      status: median(s.status),
      compare: median(s.compare),
      rm: median(s.rm),
    });
  }
  const per = (key) =>
    slope(
      growthRows.map((r) => r.n),
      growthRows.map((r) => r[key]),
    );
  const section = 'Growth with N (real tmux, sleeping agents)';
  for (const [key, target] of [
    ['create', 150],
    ['status', 20],
    ['compare', 20],
    ['rm', null],
  ])
    figure(
      section,
      `${key}: each extra candidate`,
      ms(per(key)),
      target === null ? 'none (reported)' : `≤ ${target} ms`,
      target === null ? null : per(key) <= target,
    );
  const maxLauncher = Math.max(...memory.launcherKb);
  figure(
    'Memory',
    `resident memory per pane beyond its agent (${memory.launcherKb.length} panes, largest)`,
    `${mb(maxLauncher)} (mean ${mb(memory.launcherKb.reduce((a, b) => a + b, 0) / memory.launcherKb.length)}; the agent itself: ${mb(median(memory.agentKb))})`,
    '≤ 5.0 MB',
    maxLauncher <= 5 * 1024,
  );
}

if (part('startup')) {
  small.removeAll();
  small.gp('five', '--agents', 'sleeper:5', '--no-attach');
  for (const [args, target] of [
    [['--version'], 1.5],
    [['--help'], 1.5],
    [['list'], 1.5],
    [['status', 'five'], 2.0],
  ])
    ratioFigure('Start-up against `node -e 0`', interleave(startupScenario(small, args), RUNS), target);
  peaks.push([
    'status',
    timeWithPeak([BIN, 'status', 'five'], { cwd: small.repo, env }).peakKb,
    '5 candidates',
  ]);
  small.removeAll();
}

if (part('read')) {
  prepareChangedRun(small, 10);
  for (const command of ['status', 'compare']) {
    ratioFigure('Reading a run against plain git', interleave(readScenario(small, 10, command), RUNS), 1.5);
    peaks.push([
      command,
      timeWithPeak([BIN, ...readArgs(command, 'bench')], { cwd: small.repo, env }).peakKb,
      '10 candidates',
    ]);
  }
  small.removeAll();
}

if (part('create')) {
  const section = 'Creating candidates (--mux none) against git';
  const onSmall = interleave(createScenario(small, 5), RUNS);
  figure(
    section,
    `${onSmall.name} vs ${onSmall.baselineName}`,
    `${ms(onSmall.tool.median)} vs ${ms(onSmall.baseline.median)} = floor + ${ms(onSmall.tool.median - onSmall.baseline.median)}`,
    '≤ floor + 100 ms',
    onSmall.tool.median - onSmall.baseline.median <= 100,
  );
  ratioFigure(section, interleave(createScenario(large, 5), RUNS), 0.5);
  peaks.push([
    'create',
    timeWithPeak([BIN, 'bench', '--agents', 'shell:5', '--mux', 'none'], { cwd: large.repo, env }).peakKb,
    `5 candidates, ${large.files} files`,
  ]);
  large.removeAll();
}

for (const [command, kb, n] of peaks)
  figure('Memory', `peak resident memory of git parallel ${command} (${n})`, mb(kb), 'none (reported)', null);

const machine = `${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, Node ${process.version}, ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}`;
const sections = [...new Set(figures.map((f) => f.section))];
const table = [
  `Fixtures (packed, built offline): this repository cloned with \`--no-local\` (${small.files} files) and the installed node_modules committed and \`git gc\`-ed (${large.files} files), each with a gitignored \`.env\`. ${machine}. Medians of ${RUNS} interleaved runs; growth: medians of ${GROWTH_ROUNDS} round(s).`,
  '',
  '| figure | measured | target | met |',
  '| --- | --- | --- | --- |',
  ...sections.flatMap((section) => [
    `| **${section}** | | | |`,
    ...figures
      .filter((f) => f.section === section)
      .map(
        (f) => `| ${f.name} | ${f.measured} | ${f.target} | ${f.pass === null ? '—' : f.pass ? '✓' : '✗'} |`,
      ),
  ]),
  ...(growthRows.length
    ? [
        '',
        `Growth table (${small.files} files, real tmux, agents that sleep):`,
        '',
        '| N | create | status | compare | rm |',
        '| --- | --- | --- | --- | --- |',
        ...growthRows.map(
          (r) => `| ${r.n} | ${ms(r.create)} | ${ms(r.status)} | ${ms(r.compare)} | ${ms(r.rm)} |`,
        ),
      ]
    : []),
  '',
  ...depsSection(),
  'Produced by `npm run bench` (`bench/run.mjs`; `npm run bench:deps` for the dependencies figure), written here by `node scripts/bench-table.mjs`.',
].join('\n');

/** Dependencies ready (deps: auto vs N × npm ci) comes from bench/deps.mjs's last result. */
function depsSection() {
  const file = path.join(ROOT, 'bench', 'results', 'deps.md');
  if (!existsSync(file)) return [];
  return [
    'Dependencies ready (`deps: auto`) against `npm ci` with a warm cache (`npm run bench:deps`, which needs the npm registry once):',
    '',
    readFileSync(file, 'utf8').trimEnd(),
    '',
  ];
}

mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', 'latest.json'),
  `${JSON.stringify({ machine, runs: RUNS, growthRounds: GROWTH_ROUNDS, quick: QUICK, figures, growth: growthRows }, null, 2)}\n`,
);
writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.md'), `${table}\n`);
console.log(table);
if (process.argv.includes('--update-readme'))
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bench-table.mjs')], { stdio: 'inherit' });
