// Shared benchmark plumbing: fixtures from the npm registry, interleaved timing, and reporting.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
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
 * A real public project as a git repository: the package's published tarball from the npm registry,
 * unpacked and committed as one commit (its history flattened). Cached in bench/.cache, never committed.
 */
export function fixtureRepo(spec) {
  const name = spec.replace(/[^A-Za-z0-9.-]/g, '_');
  const repo = path.join(CACHE, 'repos', name, 'repo');
  if (existsSync(path.join(repo, '.git'))) return repo;
  const work = path.join(CACHE, 'repos', name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'pack'), { recursive: true });
  const tarball = execFileSync(
    'npm',
    ['pack', spec, '--silent', '--pack-destination', path.join(work, 'pack')],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .at(-1);
  execFileSync('tar', ['-xzf', path.join(work, 'pack', tarball), '-C', path.join(work, 'pack')]);
  renameSync(path.join(work, 'pack', 'package'), repo);
  execFileSync('git', ['init', '--quiet', '--initial-branch=main'], { cwd: repo });
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', [...IDENTITY, 'commit', '--quiet', '-m', `${spec} as published`], { cwd: repo });
  return repo;
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
