// `npm run bench`: git-parallel against the floor git (or Node) itself sets, measured in the same run,
// interleaved, on real public projects of three sizes. Writes bench/results/latest.{json,md};
// `--update-readme` copies the table into README.md. BENCH_RUNS sets the runs per scenario (default 5),
// BENCH_ONLY=<substring> runs only the matching scenarios.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BIN,
  cleanDir,
  fileCount,
  fixtureRepo,
  interleave,
  ROOT,
  run,
  timeCommand,
  timeSteps,
} from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = process.env.BENCH_ONLY ?? '';
const FIXTURES = { small: 'commander@12.1.0', medium: 'lodash@4.17.21', large: 'rxjs@7.8.1' };
// A private user config: these scenarios measure git-parallel's own work, so no dependency install
// (deps: "none"; scenario 2, dependencies ready, is bench/deps.mjs).
const userConfig = mkdtempSync(path.join(tmpdir(), 'gp-bench-config-'));
mkdirSync(path.join(userConfig, 'git-parallel'));
writeFileSync(path.join(userConfig, 'git-parallel', 'config.json'), JSON.stringify({ deps: 'none' }));
const env = {
  ...process.env,
  NO_COLOR: '1',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_PARALLEL_TRUST: '1',
  XDG_CONFIG_HOME: userConfig,
};
for (const name of Object.keys(env)) if (name === 'TMUX' || name.startsWith('ZELLIJ')) delete env[name];

/** One fixture repository and the operations the scenarios share. */
function fixture(size) {
  const spec = FIXTURES[size];
  const repo = fixtureRepo(spec);
  const worktrees = path.join(path.dirname(repo), 'repo-worktrees');
  const git = (...args) => run('git', args, { cwd: repo, env });
  const gp = (...args) => run(process.execPath, [BIN, ...args], { cwd: repo, env });
  const removeAll = () => {
    for (const line of git('worktree', 'list', '--porcelain').split('\n')) {
      const wt = line.startsWith('worktree ') ? line.slice(9) : null;
      if (wt && wt !== repo) git('worktree', 'remove', '--force', '--force', wt);
    }
    git('worktree', 'prune');
    for (const branch of git('branch', '--format=%(refname:short)')
      .split('\n')
      .filter((b) => b && b !== 'main'))
      git('branch', '-D', branch);
    cleanDir(worktrees);
    cleanDir(path.join(repo, '.git', 'parallel'));
  };
  removeAll(); // a run interrupted earlier may have left worktrees and branches behind
  return { size, spec, repo, files: fileCount(repo), worktrees, git, gp, removeAll };
}

function createScenario(fx, n) {
  return {
    name: `create ${n} (${fx.size}: ${fx.files} files)`,
    baselineName: `${n} × git worktree add -b`,
    target: 1.0,
    cleanup: fx.removeAll,
    baseline: () =>
      timeSteps(
        Array.from(
          { length: n },
          (_, i) => () =>
            fx.git(
              'worktree',
              'add',
              '--quiet',
              '-b',
              `base-${i + 1}`,
              path.join(fx.worktrees, `base-${i + 1}`),
            ),
        ),
      ),
    tool: () =>
      timeCommand(process.execPath, [BIN, 'bench', '--agents', `shell:${n}`, '--mux', 'none'], {
        cwd: fx.repo,
        env,
      }),
  };
}

function rmScenario(fx, n) {
  return {
    name: `rm a ${n}-candidate run (${fx.size})`,
    baselineName: `${n} × git worktree remove + git branch -D`,
    target: 1.2,
    setup: (side) => {
      fx.removeAll();
      fx.gp('bench', '--agents', `shell:${n}`, '--mux', 'none');
      if (side === 'baseline') cleanDir(path.join(fx.repo, '.git', 'parallel'));
    },
    cleanup: fx.removeAll,
    baseline: () =>
      timeSteps(
        Array.from({ length: n }, (_, i) => () => {
          fx.git('worktree', 'remove', path.join(fx.worktrees, `bench-${i + 1}`));
          fx.git('branch', '-D', `bench-${i + 1}`);
        }),
      ),
    tool: () => timeCommand(process.execPath, [BIN, 'rm', 'bench'], { cwd: fx.repo, env }),
  };
}

/**
 * A 10-candidate run in which every candidate changed a few hundred lines: some committed, some not,
 * plus an untracked file, like agents leave them.
 */
function prepareChangedRun(fx, n) {
  fx.removeAll();
  fx.gp('bench', '--agents', `shell:${n}`, '--mux', 'none');
  const sources = fx.git('ls-files', '*.js').split('\n').filter(Boolean).slice(0, 40);
  for (let i = 1; i <= n; i++) {
    const wt = path.join(fx.worktrees, `bench-${i}`);
    for (const [k, file] of sources.slice(i, i + 6).entries()) {
      appendFileSync(
        path.join(wt, file),
        Array.from({ length: 40 }, (_, l) => `// candidate ${i} line ${l}\n`).join(''),
      );
      if (k === 3)
        run('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qam', `c${i}`], {
          cwd: wt,
          env,
        });
    }
    writeFileSync(
      path.join(wt, `notes-${i}.md`),
      Array.from({ length: 50 }, (_, l) => `note ${l}\n`).join(''),
    );
  }
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

function readScenario(fx, n, command) {
  return {
    name: `${command} of a ${n}-candidate run (${fx.size})`,
    baselineName: `git rev-list + status + diff --numstat${command === 'compare' ? ' + diff' : ''} per candidate`,
    target: 1.5,
    baseline: () => plainGitNumbers(fx, n, command === 'compare'),
    tool: () =>
      timeCommand(
        process.execPath,
        [BIN, command, 'bench', '--json', ...(command === 'compare' ? ['--no-check'] : [])],
        { cwd: fx.repo, env },
      ),
  };
}

function startupScenario(fx, args) {
  return {
    name: `git parallel ${args.join(' ')}`,
    baselineName: 'node -e 0',
    target: 1.5,
    baseline: () => timeCommand(process.execPath, ['-e', '0'], { cwd: fx.repo, env }),
    tool: () => timeCommand(process.execPath, [BIN, ...args], { cwd: fx.repo, env }),
  };
}

const small = fixture('small');
const medium = fixture('medium');
const large = fixture('large');
for (const fx of [small, medium, large]) console.error(`fixture ${fx.size}: ${fx.spec} (${fx.files} files)`);
console.error(`${RUNS} interleaved runs per scenario`);

const groups = [
  () => [
    createScenario(small, 5),
    createScenario(medium, 1),
    createScenario(medium, 3),
    createScenario(medium, 5),
    createScenario(medium, 10),
    createScenario(large, 5),
  ],
  () => [rmScenario(medium, 10)],
  () => {
    prepareChangedRun(medium, 10);
    return [readScenario(medium, 10, 'status'), readScenario(medium, 10, 'compare')];
  },
  () => {
    medium.removeAll();
    return [
      startupScenario(medium, ['--version']),
      startupScenario(medium, ['list']),
      startupScenario(medium, ['status']),
      startupScenario(medium, ['--help']),
    ];
  },
];

const results = [];
for (const group of groups) {
  for (const scenario of group()) {
    if (ONLY && !scenario.name.includes(ONLY)) continue;
    const result = interleave(scenario, RUNS);
    results.push(result);
    console.error(
      `${result.name}: ${result.tool.median.toFixed(0)} ms vs ${result.baseline.median.toFixed(0)} ms → ${result.ratio.toFixed(2)}×`,
    );
  }
}
for (const fx of [small, medium, large]) fx.removeAll();

const machine = `${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, Node ${process.version}, ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}`;
const ms = (v) => `${v.toFixed(0)} ms`;
const table = [
  `Fixtures: npm packages as git repositories — small \`${small.spec}\` (${small.files} files), medium \`${medium.spec}\` (${medium.files}), large \`${large.spec}\` (${large.files}). ${machine}. Medians of ${RUNS} interleaved runs (min–max).`,
  '',
  '| scenario | git-parallel | baseline | ratio | target |',
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${ms(r.tool.median)} (${ms(r.tool.min)}–${ms(r.tool.max)}) | ${r.baselineName}: ${ms(r.baseline.median)} (${ms(r.baseline.min)}–${ms(r.baseline.max)}) | ${r.ratio.toFixed(2)}× | ≤ ${r.target.toFixed(1)}× ${r.ratio <= r.target ? '✓' : '✗'} |`,
  ),
  '',
  ...depsSection(),
  'Produced by `npm run bench -- --update-readme` (which runs `bench/deps.mjs`, then `bench/run.mjs`).',
].join('\n');

/** Scenario 2 (dependencies ready with deps: auto vs N × npm ci) comes from bench/deps.mjs's last result. */
function depsSection() {
  const file = path.join(ROOT, 'bench', 'results', 'deps.md');
  if (!existsSync(file)) return [];
  return [
    'Dependencies ready (`deps: auto`) against `npm ci` with a warm cache:',
    '',
    readFileSync(file, 'utf8').trimEnd(),
    '',
  ];
}

mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', 'latest.json'),
  `${JSON.stringify({ fixtures: FIXTURES, machine, runs: RUNS, results }, null, 2)}\n`,
);
writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.md'), `${table}\n`);
console.log(table);
if (process.argv.includes('--update-readme')) {
  const readme = path.join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  writeFileSync(
    readme,
    text.replace(
      /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
      `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
    ),
  );
}
