import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  bwrapArgv,
  HIDDEN_HOME_DIRS,
  HIDDEN_HOME_FILES,
  homeWritablePaths,
  type SandboxPlan,
  sandboxExecArgv,
} from '../core/sandbox.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { run } from './exec.js';
import { runGit } from './git-runner.js';
import { packageRoot } from './launcher-path.js';
import { which } from './which.js';

/**
 * `--sandbox` (issue 17), the part that touches the world: is a sandbox possible here, and the facts a
 * candidate's sandbox is built from. The rules themselves are in core/sandbox.ts.
 */

/** The bubblewrap executable: `GIT_PARALLEL_BWRAP` (a name or path) or `bwrap` on PATH. */
export function bwrapName(env: NodeJS.ProcessEnv): string {
  return env.GIT_PARALLEL_BWRAP || 'bwrap';
}

/**
 * Null when a sandbox can be made here (it tries one), else the one line that says what to install or
 * enable. Checked before a sandboxed run creates anything.
 */
export async function sandboxProblem(
  env: NodeJS.ProcessEnv,
  cwd: string,
  commonDir: string | null,
): Promise<string | null> {
  if (commonDir !== null && (await exists(path.join(commonDir, 'reftable')))) {
    return '--sandbox protects branches as ref files; this repository uses the reftable backend, which it cannot protect';
  }
  if (process.platform === 'darwin') {
    return (await which('/usr/bin/sandbox-exec', cwd, env))
      ? null
      : '--sandbox needs /usr/bin/sandbox-exec, which this macOS lacks';
  }
  if (process.platform !== 'linux') return `--sandbox works on Linux (bubblewrap) and macOS only`;
  const bwrap = await which(bwrapName(env), cwd, env);
  if (!bwrap) {
    return `--sandbox needs bubblewrap (${bwrapName(env)} not found): install it (apt-get install bubblewrap, dnf install bubblewrap, pacman -S bubblewrap)`;
  }
  const tried = await run(
    bwrap,
    [
      '--die-with-parent',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/tmp',
      'true',
    ],
    { cwd: '/', env, check: false, timeout: 10_000 },
  ).catch((error: Error) => ({ exitCode: 1, stdout: '', stderr: error.message }));
  if (tried.exitCode === 0) return null;
  const reason = tried.stderr.trim().split('\n').at(-1) || `exit code ${tried.exitCode}`;
  return `--sandbox: bubblewrap cannot make a sandbox here (${reason}); enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ also kernel.apparmor_restrict_unprivileged_userns=0), or run where they are allowed`;
}

/**
 * The agent's command line wrapped in its sandbox. Before it is built, every branch that lives only in
 * packed-refs gets a loose ref file with the same value (so it can be bound read-only: a packed-only ref
 * could otherwise be overridden by creating a loose one), and the candidate's reflog file and the run's
 * agents folder are made to exist (a bind needs its source).
 */
export async function sandboxedArgv(
  manifest: RunManifest,
  candidate: Candidate,
  stateDir: string,
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const plan = await gatherSandboxPlan(manifest, candidate, stateDir, command, env);
  if (process.platform === 'darwin') return sandboxExecArgv(plan, command);
  const bwrap = (await which(bwrapName(env), candidate.worktree, env)) ?? bwrapName(env);
  return bwrapArgv(bwrap, plan, command);
}

/**
 * For a sandboxed run, the argv that a candidate's setup commands, hooks and checks run inside: its
 * agent's sandbox, up to and including `--`. Empty for a run without a sandbox.
 */
export async function sandboxPrefix(
  manifest: RunManifest,
  candidate: Candidate,
  stateDir: string,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  if (!manifest.sandbox) return [];
  const argv = await sandboxedArgv(manifest, candidate, stateDir, candidate.command, env);
  return argv.slice(0, argv.length - candidate.command.length);
}

export async function gatherSandboxPlan(
  manifest: RunManifest,
  candidate: Candidate,
  stateDir: string,
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<SandboxPlan> {
  const commonDir = manifest.repo.commonDir;
  if (await exists(path.join(commonDir, 'reftable'))) {
    throw new Error('--sandbox needs the files ref backend; this repository uses reftable');
  }
  const gitDir = (await runGit(candidate.worktree, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  const heads = path.join(commonDir, 'refs', 'heads');
  const listed = (
    await runGit(manifest.repo.root, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/'])
  ).stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ref, sha] = line.split(' ');
      return { name: ref!.slice('refs/heads/'.length), sha: sha! };
    });
  for (const { name, sha } of listed) {
    const file = path.join(heads, name);
    if (!(await exists(file))) await writeLooseRef(file, sha);
  }
  const reflog = path.join(commonDir, 'logs', 'refs', 'heads', candidate.branch);
  if (!(await exists(reflog))) {
    await mkdir(path.dirname(reflog), { recursive: true });
    await writeFile(reflog, '', { flag: 'a' });
  }
  const packDir = path.join(commonDir, 'objects', 'pack');
  const packFiles = (await readdir(packDir).catch(() => [] as string[]))
    .filter((f) => /\.(pack|idx|rev|bitmap|promisor|keep)$/.test(f))
    .map((f) => path.join(packDir, f));
  const agentStateDir = path.join(stateDir, 'agents');
  await mkdir(agentStateDir, { recursive: true });

  const home = env.HOME || os.homedir();
  const writable: string[] = [];
  for (const p of homeWritablePaths(command[0] ?? '', home)) {
    // Folders are made so the agent can use them; a file (~/.claude.json) is bound only when it exists.
    if (!path.extname(p)) await mkdir(p, { recursive: true }).catch(() => {});
    if (await exists(p)) writable.push(p);
  }
  const hiddenDirs = await existing(HIDDEN_HOME_DIRS.map((p) => path.join(home, p)));
  const hiddenFiles = await existing(HIDDEN_HOME_FILES.map((p) => path.join(home, p)));
  const readable = [
    home,
    manifest.repo.root,
    commonDir,
    ...manifest.candidates.filter((c) => c.n !== candidate.n).map((c) => c.worktree),
    path.dirname(command[0] ?? '/'),
    path.dirname(process.execPath),
    packageRoot(),
  ];
  return {
    worktree: candidate.worktree,
    gitDir,
    commonDir,
    branch: candidate.branch,
    otherBranches: listed.map((b) => b.name).filter((b) => b !== candidate.branch),
    packFiles,
    agentStateDir,
    writable,
    hiddenDirs,
    hiddenFiles,
    readable: [...new Set(readable)],
  };
}

/** A loose ref with the value the packed one has: written as git does, `<ref>.lock` then rename. */
async function writeLooseRef(file: string, sha: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  await writeFile(lock, `${sha}\n`, { flag: 'wx' });
  await rename(lock, file);
}

async function existing(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) if (await exists(p)) found.push(p);
  return found;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
