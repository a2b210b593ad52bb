// `npm run bench`: git-parallel against the floor git (or Node) itself sets, measured in the same run,
// interleaved. Writes bench/results/latest.{json,md}; `--update-readme` copies the table into README.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const FIXTURE = process.env.BENCH_FIXTURE ?? 'rxjs@7.8.1';
const env = { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' };
for (const name of Object.keys(env)) if (name === 'TMUX' || name.startsWith('ZELLIJ')) delete env[name];

const repo = fixtureRepo(FIXTURE);
const files = fileCount(repo);
const worktrees = path.join(path.dirname(repo), 'repo-worktrees');
console.error(`fixture: ${FIXTURE} (${files} files), ${RUNS} interleaved runs per scenario`);

const git = (...args) => run('git', args, { cwd: repo, env });
const gp = (...args) => run(process.execPath, [BIN, ...args], { cwd: repo, env });
const removeAll = () => {
  for (const line of git('worktree', 'list', '--porcelain').split('\n')) {
    const wt = line.startsWith('worktree ') ? line.slice(9) : null;
    if (wt && wt !== repo) git('worktree', 'remove', '--force', wt);
  }
  for (const branch of git('branch', '--format=%(refname:short)')
    .split('\n')
    .filter((b) => b && b !== 'main'))
    git('branch', '-D', branch);
  cleanDir(worktrees);
  cleanDir(path.join(repo, '.git', 'parallel'));
};

function createScenario(n) {
  return {
    name: `create ${n} candidates (--mux none)`,
    baselineName: `${n} × git worktree add -b`,
    target: 1.0,
    cleanup: removeAll,
    baseline: () =>
      timeSteps(
        Array.from(
          { length: n },
          (_, i) => () =>
            git('worktree', 'add', '--quiet', '-b', `base-${i + 1}`, path.join(worktrees, `base-${i + 1}`)),
        ),
      ),
    tool: () =>
      timeCommand(process.execPath, [BIN, 'bench', '--agents', `shell:${n}`, '--mux', 'none'], {
        cwd: repo,
        env,
      }),
  };
}

function startupScenario(args) {
  return {
    name: `git parallel ${args.join(' ')}`,
    baselineName: 'node -e 0',
    target: 1.5,
    baseline: () => timeCommand(process.execPath, ['-e', '0'], { cwd: repo, env }),
    tool: () => timeCommand(process.execPath, [BIN, ...args], { cwd: repo, env }),
  };
}

removeAll();
const results = [];
for (const scenario of [
  createScenario(5),
  startupScenario(['--version']),
  startupScenario(['--help']),
  startupScenario(['list']),
]) {
  const result = interleave(scenario, RUNS);
  results.push(result);
  console.error(
    `${result.name}: ${result.tool.median.toFixed(0)} ms vs ${result.baseline.median.toFixed(0)} ms → ${result.ratio.toFixed(2)}×`,
  );
}
removeAll();

const machine = `${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, Node ${process.version}, ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}`;
const ms = (v) => `${v.toFixed(0)} ms`;
const table = [
  `Fixture: \`${FIXTURE}\` from the npm registry as a git repository (${files} files). ${machine}. Medians of ${RUNS} interleaved runs (min–max).`,
  '',
  '| scenario | git-parallel | baseline | ratio | target |',
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${ms(r.tool.median)} (${ms(r.tool.min)}–${ms(r.tool.max)}) | ${r.baselineName}: ${ms(r.baseline.median)} (${ms(r.baseline.min)}–${ms(r.baseline.max)}) | ${r.ratio.toFixed(2)}× | ≤ ${r.target.toFixed(1)}× ${r.ratio <= r.target ? '✓' : '✗'} |`,
  ),
  '',
  'Produced by `npm run bench -- --update-readme`.',
].join('\n');

mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', 'latest.json'),
  `${JSON.stringify({ fixture: FIXTURE, files, machine, runs: RUNS, results }, null, 2)}\n`,
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
