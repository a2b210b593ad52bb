// `node bench/costs.mjs`: what git-parallel's commands cost in terms that do not depend on how busy the
// machine is (issue 18): the programs each command starts (execve calls that succeeded, counted with
// `strace -f`, by program) and its CPU time (user + system, its own and its children's, from getrusage),
// for N candidates on the small packed fixture with real tmux and sleeping agents. Wall-clock figures
// are bench/run.mjs's; these say where that time goes and how it grows with N.
//
//   node bench/costs.mjs [--n 1,5,10] [--runs 5] [--json] [--bin <another build's bin/git-parallel.js>]
//
// Needs strace for the process counts (without it only CPU time is printed).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchEnv, fixture, makeChangedCandidates, BIN as OWN_BIN } from './lib.mjs';

const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const NS = flag('--n', '1,5,10').split(',').map(Number);
const RUNS = Number(flag('--runs', '5'));
// --bin: another build's bin/git-parallel.js (an earlier commit's, for a before/after table).
const BIN = flag('--bin', OWN_BIN);
const hasStrace = spawnSync('strace', ['-V']).status === 0;

const { env, tmux, killTmux } = benchEnv();
process.on('exit', killTmux);
// The tmux server runs before any measured command: one started under strace would keep strace waiting
// for it (it outlives the command), and its start is tmux's cost, not git-parallel's.
const keepServer = () => {
  killTmux();
  // A server that was just killed may still be going away ("server exited unexpectedly"): try again.
  for (let attempt = 1; ; attempt++) {
    try {
      tmux('new-session', '-d', '-s', 'keeper', 'sleep', '3600');
      return;
    } catch (error) {
      if (attempt === 20) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
};
const fx = fixture('small', env, keepServer);

/** Programs started by `argv` (run in the fixture), by basename: successful execve calls, the first (node) left out. */
function programsOf(argv) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-costs-'));
  try {
    const result = spawnSync(
      'strace',
      ['-f', '-ff', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-o', path.join(dir, 't'), ...argv],
      { cwd: fx.repo, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
    const counts = new Map();
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      // The last successful execve of a process is what it ran (execvp tries PATH entries first).
      const ran = [...text.matchAll(/^execve\("([^"]+)".*\) = 0$/gm)].at(-1)?.[1];
      if (ran === undefined) continue;
      const name = path.basename(ran);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // The command itself (strace's own child).
    const self = path.basename(argv[0]);
    counts.set(self, (counts.get(self) ?? 1) - 1);
    if (counts.get(self) === 0) counts.delete(self);
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU milliseconds (user + system of the command and of every child it waited for), one run. */
function cpuOf(argv) {
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', ...argv], {
    cwd: fx.repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  const [user, system] = result.stderr.toString().trim().split('\n').at(-1).split(' ').map(Number);
  return (user + system) * 1000;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const gp = (...args) => [process.execPath, BIN, ...args];
const rows = [];
const measure = (command, n, argv, { repeatable = true, prepare } = {}) => {
  prepare?.();
  const programs = hasStrace ? programsOf(argv) : null;
  const cpu = [];
  for (let i = 0; i < (repeatable ? RUNS : 0); i++) cpu.push(cpuOf(argv));
  const total = programs ? [...programs.values()].reduce((a, b) => a + b, 0) : null;
  const row = {
    command,
    n,
    processes: total,
    programs: programs && Object.fromEntries(programs),
    cpuMs: cpu.length ? median(cpu) : null,
  };
  rows.push(row);
  console.error(
    `${command} N=${n}: ${total ?? '?'} processes ${programs ? JSON.stringify(row.programs) : ''}, CPU ${row.cpuMs?.toFixed(0) ?? '-'} ms`,
  );
};

console.error(
  `node -e 0: CPU ${median(Array.from({ length: RUNS }, () => cpuOf([process.execPath, '-e', '0']))).toFixed(0)} ms`,
);
for (const n of NS) {
  fx.removeAll();
  // create: counted once under strace (a second create needs a fresh repository state), CPU from its own runs.
  const createArgv = gp('costs', '--agents', `sleeper:${n}`, '--no-attach');
  const createCpu = [];
  let createPrograms = null;
  for (let i = 0; i < Math.max(1, Math.min(RUNS, 3)); i++) {
    fx.removeAll();
    createCpu.push(cpuOf(createArgv));
  }
  if (hasStrace) {
    fx.removeAll();
    createPrograms = programsOf(createArgv);
  } else {
    fx.removeAll();
    execFileSync(createArgv[0], createArgv.slice(1), { cwd: fx.repo, env, stdio: 'ignore' });
  }
  rows.push({
    command: 'create',
    n,
    processes: createPrograms ? [...createPrograms.values()].reduce((a, b) => a + b, 0) : null,
    programs: createPrograms && Object.fromEntries(createPrograms),
    cpuMs: median(createCpu),
  });
  console.error(`create N=${n}: ${JSON.stringify(rows.at(-1))}`);
  makeChangedCandidates(fx, 'costs', n, env);
  measure('list', n, gp('list'));
  measure('status', n, gp('status', 'costs', '--json'));
  measure('compare', n, gp('compare', 'costs', '--json', '--no-check'));
}
fx.removeAll();

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log('| command | N | processes | by program | CPU ms (median) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const by = r.programs
      ? Object.entries(r.programs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '';
    console.log(`| ${r.command} | ${r.n} | ${r.processes ?? '?'} | ${by} | ${r.cpuMs?.toFixed(0) ?? '-'} |`);
  }
}
