// `npm run bench:before -- <rev>`: this build against an earlier one (issue 15: "start-up and creation no
// slower than before"), interleaved on the same packed fixtures, each build in its own clone of them.
// The earlier revision is exported with `git archive`, installed with `npm ci` and built once, in
// bench/.cache/builds/<commit>; the figures are this build's medians over the earlier build's.
//
//   node bench/before.mjs <rev> [--runs 5]
//
// Target: ≤ 1.05× (no slower, within what the medians of a quiet 2-core machine vary by between runs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  benchEnv,
  CACHE,
  cleanDir,
  fixture,
  fixtureRepo,
  interleave,
  ROOT,
  run,
  timeCommand,
} from './lib.mjs';

const rev = process.argv[2];
if (!rev || rev.startsWith('-')) {
  console.error('usage: node bench/before.mjs <rev> [--runs N]');
  process.exit(2);
}
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const TARGET = 1.05;

const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], {
  cwd: ROOT,
  encoding: 'utf8',
}).trim();
const earlierBin = buildOf(commit);

const { env, killTmux } = benchEnv();
process.on('exit', killTmux);

/** Both builds on the same fixture kind: this build on the cached fixture, the earlier one on a clone of it. */
function pairOf(kind) {
  const now = fixture(kind, env, killTmux);
  // Its own name, so the two runs' tmux sessions (named after the repository's folder) do not collide.
  const clone = path.join(CACHE, 'before', kind, 'earlier');
  if (!existsSync(path.join(clone, '.git', 'bench-ready'))) {
    cleanDir(path.dirname(clone));
    mkdirSync(path.dirname(clone), { recursive: true });
    run('git', ['clone', '--quiet', '--no-local', fixtureRepo(kind), clone], { env });
    run('git', ['checkout', '--quiet', '-B', 'main'], { cwd: clone, env });
    run('git', ['gc', '--quiet'], { cwd: clone, env });
    run('cp', [path.join(now.repo, '.env'), path.join(clone, '.env')], { env });
    run('cp', [path.join(now.repo, '.git', 'info', 'exclude'), path.join(clone, '.git', 'info', 'exclude')], {
      env,
    });
    run('touch', [path.join(clone, '.git', 'bench-ready')], { env });
  }
  return { now, earlier: fixture(kind, env, killTmux, { bin: earlierBin, repo: clone }) };
}

const results = [];
const compareBuilds = (name, sides, cleanup) => {
  const result = interleave(
    {
      name,
      baselineName: commit.slice(0, 7),
      baseline: () => sides(pair.earlier),
      tool: () => sides(pair.now),
      cleanup: cleanup && ((side) => cleanup(side === 'tool' ? pair.now : pair.earlier)),
    },
    RUNS,
  );
  results.push(result);
  console.error(
    `${result.ratio <= TARGET ? '✓' : '✗'} ${name}: ${result.tool.median.toFixed(0)} ms vs ${result.baseline.median.toFixed(0)} ms = ${result.ratio.toFixed(2)}×`,
  );
};
const gpTime = (fx, ...args) => timeCommand(process.execPath, [fx.bin, ...args], { cwd: fx.repo, env });

let pair = pairOf('small');
pair.now.removeAll();
pair.earlier.removeAll();
// A live 5-candidate run in each, made by its own build: what list and status read.
pair.now.gp('five', '--agents', 'sleeper:5', '--no-attach');
pair.earlier.gp('five', '--agents', 'sleeper:5', '--no-attach');
for (const args of [['--version'], ['--help'], ['list'], ['status', 'five']])
  compareBuilds(`git parallel ${args.join(' ')}`, (fx) => gpTime(fx, ...args));
pair.now.removeAll();
pair.earlier.removeAll();
for (const kind of ['small', 'large']) {
  pair = pairOf(kind);
  compareBuilds(
    `create 5 (${pair.now.files} files, --mux none)`,
    (fx) => gpTime(fx, 'bench', '--agents', 'shell:5', '--mux', 'none'),
    (fx) => fx.removeAll(),
  );
}

console.log(
  `This build (${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()}) against ${commit.slice(0, 7)}, medians of ${RUNS} interleaved runs, target ≤ ${TARGET.toFixed(2)}×:`,
);
console.log('');
console.log('| command | this build | earlier | ratio | met |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results)
  console.log(
    `| ${r.name} | ${r.tool.median.toFixed(0)} ms | ${r.baseline.median.toFixed(0)} ms | ${r.ratio.toFixed(2)}× | ${r.ratio <= TARGET ? '✓' : '✗'} |`,
  );

/** The earlier revision, exported, installed and built once; its bin/git-parallel.js. */
function buildOf(sha) {
  const dir = path.join(CACHE, 'builds', sha.slice(0, 12));
  const bin = path.join(dir, 'bin', 'git-parallel.js');
  if (existsSync(path.join(dir, 'dist', 'cli.js'))) return bin;
  cleanDir(dir);
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C "$0"`, dir], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  return bin;
}
