// Shared benchmark plumbing: offline fixtures, interleaved timing, peak memory, and reporting.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = path.join(ROOT, 'bench', '.cache');
export const BIN = path.join(ROOT, 'bin', 'git-parallel.js');

const IDENTITY = [
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

/**
 * The fixtures, built offline from what a fresh clone has after `npm ci`, and packed as git packs them
 * on a real clone (issue 18: loose objects made git's own floor unrealistically slow):
 *
 *   small  this project's own repository at HEAD, cloned with `--no-local` (history and packfile included;
 *          about 200–400 files);
 *   large  the installed packages in node_modules (real JavaScript, files up to 256 kB, the first 2,500 by
 *          path), committed once and `git gc`-packed.
 *
 * Each gets a gitignored `.env`, which git-parallel copies into every candidate (and the floor copies too).
 * Cached in bench/.cache/repos under a key of their source (HEAD, the lockfile), never committed.
 */
export function fixtureRepo(kind) {
  if (kind === 'small') {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return cachedRepo(`self-${head.slice(0, 12)}`, (repo) => {
      execFileSync('git', ['clone', '--quiet', '--no-local', '--no-hardlinks', ROOT, repo]);
      execFileSync('git', ['checkout', '--quiet', '-B', 'main'], { cwd: repo });
    });
  }
  const lock = createHash('sha256')
    .update(readFileSync(path.join(ROOT, 'package-lock.json')))
    .digest('hex');
  return cachedRepo(`node-modules-${lock.slice(0, 12)}`, (repo) => {
    const source = path.join(ROOT, 'node_modules');
    const files = listFiles(source)
      .filter((f) => statSync(path.join(source, f)).size <= 256 * 1024)
      .sort()
      .slice(0, 2500);
    for (const file of files) {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      copyFileSync(path.join(source, file), path.join(repo, file));
    }
    execFileSync('git', ['init', '--quiet', '--initial-branch=main'], { cwd: repo });
    execFileSync('git', ['add', '-A'], { cwd: repo });
    execFileSync('git', [...IDENTITY, 'commit', '--quiet', '-m', 'installed packages'], { cwd: repo });
  });
}

function cachedRepo(name, build) {
  const repo = path.join(CACHE, 'repos', name, 'repo');
  if (existsSync(path.join(repo, '.git', 'bench-ready'))) return repo;
  // Older copies of the same fixture (an earlier HEAD, an earlier lockfile) are not used again.
  const kind = name.slice(0, name.lastIndexOf('-') + 1);
  for (const old of listDir(path.join(CACHE, 'repos')).filter((entry) => entry.startsWith(kind)))
    rmSync(path.join(CACHE, 'repos', old), { recursive: true, force: true });
  mkdirSync(path.dirname(repo), { recursive: true });
  build(repo);
  execFileSync('git', ['gc', '--quiet'], { cwd: repo });
  writeFileSync(path.join(repo, '.git', 'info', 'exclude'), '.env\n');
  writeFileSync(path.join(repo, '.env'), 'API_KEY=bench\nDATABASE_URL=postgres://localhost/bench\n');
  writeFileSync(path.join(repo, '.git', 'bench-ready'), '');
  return repo;
}

/** Regular files below `dir`, as paths relative to it (symbolic links and .bin folders left out). */
function listFiles(dir, prefix = '') {
  const found = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory() && entry.name !== '.bin') found.push(...listFiles(dir, relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

/** Whether git packed the repository's objects (no loose objects left). */
export function looseObjects(repo) {
  const counts = execFileSync('git', ['count-objects', '-v'], { cwd: repo, encoding: 'utf8' });
  return Number(counts.match(/^count: (\d+)/m)?.[1] ?? 0);
}

export function fileCount(repo) {
  return (
    execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')
      .length - 1
  );
}

/** Wall time of one command in milliseconds; throws when it fails. */
export function timeCommand(command, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

export function timeSteps(steps) {
  const started = process.hrtime.bigint();
  for (const step of steps) step();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout?.toString() ?? '';
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures a scenario: the tool and its baseline alternate (baseline, tool, baseline, tool…) so both see
 * the same machine state; each side's setup and cleanup run outside the timed part.
 */
export function interleave(scenario, runs) {
  const times = { baseline: [], tool: [] };
  for (let i = 0; i < runs + 1; i++) {
    for (const side of i % 2 ? ['tool', 'baseline'] : ['baseline', 'tool']) {
      scenario.setup?.(side);
      const ms = scenario[side]();
      scenario.cleanup?.(side);
      if (i > 0) times[side].push(ms); // the first round warms caches and is not counted
    }
  }
  const summary = (values) => ({
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
  });
  const baseline = summary(times.baseline);
  const tool = summary(times.tool);
  return {
    name: scenario.name,
    baselineName: scenario.baselineName,
    target: scenario.target,
    runs,
    baseline,
    tool,
    ratio: tool.median / baseline.median,
  };
}

export function cleanDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

export function listDir(dir) {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * Runs a Node command with bench/peak-rss.cjs preloaded: wall time and the process's peak resident
 * memory in kB (its own, not its children's).
 */
export function timeWithPeak(args, options) {
  const file = path.join(CACHE, `peak-${process.pid}.txt`);
  rmSync(file, { force: true });
  mkdirSync(CACHE, { recursive: true });
  const env = {
    ...options.env,
    NODE_OPTIONS: `--require ${JSON.stringify(path.join(ROOT, 'bench', 'peak-rss.cjs'))}`,
    GP_BENCH_PEAK_FILE: file,
  };
  const ms = timeCommand(process.execPath, args, { ...options, env });
  const peakKb = Number(readFileSync(file, 'utf8').trim().split('\n')[0]);
  rmSync(file, { force: true });
  return { ms, peakKb };
}

/**
 * The environment every scenario runs in: a private user config, so these scenarios measure git-parallel's
 * own work (no dependency install, deps: "none"; dependencies ready is bench/deps.mjs), and a stand-in
 * agent that only sleeps, so what a pane costs beyond its agent can be told apart; tmux on a private
 * server, killed by `killTmux`.
 */
export function benchEnv() {
  const userConfig = mkdtempSync(path.join(tmpdir(), 'gp-bench-config-'));
  mkdirSync(path.join(userConfig, 'git-parallel'));
  writeFileSync(
    path.join(userConfig, 'git-parallel', 'config.json'),
    JSON.stringify({
      deps: 'none',
      agents: { sleeper: { command: 'sleep', args: ['600'], prompt: 'none' } },
    }),
  );
  const tmuxSocket = `gp-bench-${process.pid}`;
  const env = {
    ...process.env,
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_PARALLEL_TRUST: '1',
    GIT_PARALLEL_TMUX_SOCKET: tmuxSocket,
    XDG_CONFIG_HOME: userConfig,
  };
  for (const name of Object.keys(env)) if (name === 'TMUX' || name.startsWith('ZELLIJ')) delete env[name];
  const tmux = (...args) => run('tmux', ['-L', tmuxSocket, ...args], { env });
  const killTmux = () => {
    try {
      tmux('kill-server');
    } catch {
      // No server running.
    }
  };
  return { env, tmux, killTmux };
}

/** One fixture repository and the operations the scenarios share (run by `bin`, this build unless given). */
export function fixture(kind, env, killTmux, { bin = BIN, repo = fixtureRepo(kind) } = {}) {
  const worktrees = path.join(path.dirname(repo), `${path.basename(repo)}-worktrees`);
  const git = (...args) => run('git', args, { cwd: repo, env });
  const gp = (...args) => run(process.execPath, [bin, ...args], { cwd: repo, env });
  const removeAll = () => {
    killTmux();
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
  return {
    kind,
    repo,
    bin,
    files: fileCount(repo),
    loose: looseObjects(repo),
    worktrees,
    git,
    gp,
    removeAll,
  };
}

/**
 * Changes in each of a run's n candidates, like agents leave them: a few hundred lines in six files, some
 * committed, some not, plus an untracked file.
 */
export function makeChangedCandidates(fx, task, n, env) {
  const sources = fx.git('ls-files', '*.ts', '*.js', '*.mjs').split('\n').filter(Boolean).slice(0, 40);
  for (let i = 1; i <= n; i++) {
    const wt = path.join(fx.worktrees, `${task}-${i}`);
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
