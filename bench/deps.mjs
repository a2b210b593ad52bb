#!/usr/bin/env node
// Benchmark of `deps: "auto"` (issue 5): on a real Node project with a lockfile and an installed
// node_modules, the time until 5 candidates are ready with dependencies (`git parallel <task> -n 5`),
// against 5 × `npm ci` with a warm cache. Target: at most 0.1× the baseline. Also reports the disk the
// candidates' node_modules use: apparent (what `du --apparent-size` adds up) and real (blocks of files
// not shared with the main worktree; copy-on-write sharing cannot be seen this way and counts as real).
//
//   npm run build && node bench/deps.mjs [--runs 3] [--package jest@29.7.0] [--candidates 5]
//
// The first run installs the fixture project (from the npm registry) into bench/.cache/deps/, with its
// own npm cache there, which every later `npm ci` reuses (the warm cache). Nothing outside bench/.cache
// and the system temp folder is touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    package: { type: 'string', default: 'jest@29.7.0' },
    candidates: { type: 'string', default: '5' },
  },
});
const RUNS = Number(values.runs);
const N = Number(values.candidates);
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'git-parallel.js');
const CACHE = path.join(ROOT, 'bench', '.cache', 'deps');
const NPM_CACHE = path.join(CACHE, 'npm-cache');
const PROJECT = path.join(CACHE, 'project');

if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) {
  console.error('bench/deps.mjs runs the built CLI: run `npm run build` first');
  process.exit(2);
}

// A private environment: no user git or git-parallel config, npm quiet and using the bench's cache.
const home = mkdtempSync(path.join(tmpdir(), 'gp-bench-home-'));
writeFileSync(
  path.join(home, 'gitconfig'),
  '[user]\n\tname = Bench\n\temail = bench@example.invalid\n[gc]\n\tauto = 0\n[commit]\n\tgpgsign = false\n',
);
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_') && k !== 'TMUX')),
  GIT_CONFIG_GLOBAL: path.join(home, 'gitconfig'),
  GIT_CONFIG_NOSYSTEM: '1',
  XDG_CONFIG_HOME: path.join(home, 'config'),
  npm_config_cache: NPM_CACHE,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_prefer_offline: 'true',
  NO_COLOR: '1',
};
const sh = (command, args, cwd) =>
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

function fixture() {
  if (existsSync(path.join(PROJECT, 'node_modules')) && existsSync(path.join(PROJECT, '.git'))) return;
  rmSync(PROJECT, { recursive: true, force: true });
  mkdirSync(PROJECT, { recursive: true });
  console.error(
    `Creating the fixture project with ${values.package} in ${PROJECT} (needs the npm registry once)…`,
  );
  writeFileSync(
    path.join(PROJECT, 'package.json'),
    `${JSON.stringify({ name: 'bench-app', private: true }, null, 2)}\n`,
  );
  writeFileSync(path.join(PROJECT, '.gitignore'), 'node_modules/\n');
  // The repository config runs no commands, so no approval is needed.
  writeFileSync(
    path.join(PROJECT, '.git-parallelrc.json'),
    `${JSON.stringify({ agent: 'shell', deps: 'auto' })}\n`,
  );
  sh('npm', ['install', '--save-exact', values.package], PROJECT);
  sh('git', ['init', '--quiet', '--initial-branch=main'], PROJECT);
  sh('git', ['add', '-A'], PROJECT);
  sh('git', ['commit', '--quiet', '-m', 'fixture'], PROJECT);
}

function time(action) {
  const started = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** N × `npm ci` one after another, each in a fresh folder with the project's package.json and lockfile. */
function baselineRun() {
  const dirs = Array.from({ length: N }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-bench-ci-'));
    for (const file of ['package.json', 'package-lock.json'])
      writeFileSync(path.join(dir, file), execFileSync('cat', [path.join(PROJECT, file)]));
    return dir;
  });
  try {
    return time(() => {
      for (const dir of dirs) sh('npm', ['ci'], dir);
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** `git parallel <task> -n N --mux none`: worktrees created and prepared, node_modules provided. */
function gitParallelRun(task, measureDisk) {
  let stderr = '';
  const ms = time(() => {
    const result = spawnSync(process.execPath, [BIN, task, '-n', String(N), '--mux', 'none'], {
      cwd: PROJECT,
      env,
      encoding: 'utf8',
    });
    stderr = result.stderr;
    if (result.status !== 0) throw new Error(`git parallel failed (${result.status}):\n${result.stderr}`);
  });
  const method = /dependencies: ([^)]*)\)/.exec(stderr)?.[1] ?? 'unknown';
  const disk = measureDisk ? diskUse(task) : null;
  spawnSync(process.execPath, [BIN, 'rm', task, '--force'], { cwd: PROJECT, env, encoding: 'utf8' });
  return { ms, method, disk };
}

function diskUse(task) {
  const seen = new Set();
  walk(path.join(PROJECT, 'node_modules'), (stats) => seen.add(stats.ino));
  let apparent = 0;
  let real = 0;
  let files = 0;
  for (let n = 1; n <= N; n++) {
    walk(path.join(CACHE, 'project-worktrees', `${task}-${n}`, 'node_modules'), (stats) => {
      files++;
      apparent += stats.size;
      if (seen.has(stats.ino)) return;
      seen.add(stats.ino);
      real += stats.blocks * 512;
    });
  }
  return { files, apparent, real };
}

function walk(dir, visit) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else if (entry.isFile()) visit(lstatSync(full));
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  fixture();
  const packages = readdirSync(path.join(PROJECT, 'node_modules')).filter((n) => !n.startsWith('.')).length;
  console.error(`Fixture: ${values.package}, ${packages} top-level packages in node_modules.`);
  // Warm the npm cache (and the page cache) once before measuring.
  baselineRunWarmUp();
  const baseline = [];
  const ours = [];
  let disk = null;
  let method = '';
  for (let run = 1; run <= RUNS; run++) {
    baseline.push(baselineRun());
    const result = gitParallelRun(`bench-${run}`, run === 1);
    ours.push(result.ms);
    method = result.method;
    disk ??= result.disk;
    console.error(
      `run ${run}: ${N} × npm ci ${s(baseline.at(-1))}, git parallel -n ${N} ${s(ours.at(-1))} (${method})`,
    );
  }
  const ratio = median(ours) / median(baseline);
  const lines = [
    `deps benchmark: ${values.package}, ${N} candidates, ${RUNS} runs (medians)`,
    `  baseline   ${N} × npm ci (warm cache)                 ${s(median(baseline))}`,
    `  deps auto  git parallel -n ${N} until ready (${method})  ${s(median(ours))}`,
    `  ratio      ${ratio.toFixed(3)} (target ≤ 0.100: ${ratio <= 0.1 ? 'met' : 'NOT met'})`,
  ];
  if (disk) {
    lines.push(
      `  node_modules of ${N} candidates: ${disk.files} files, apparent ${mb(disk.apparent)}, real ${mb(disk.real)} (not shared with the main worktree)`,
    );
  }
  console.log(lines.join('\n'));
  // For bench/run.mjs, which puts every result into the README's performance section.
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'deps.md'), `\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
  process.exitCode = 0;
} finally {
  rmSync(home, { recursive: true, force: true });
}

function baselineRunWarmUp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-bench-ci-'));
  try {
    for (const file of ['package.json', 'package-lock.json'])
      writeFileSync(path.join(dir, file), execFileSync('cat', [path.join(PROJECT, file)]));
    sh('npm', ['ci'], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
