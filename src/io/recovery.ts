import path from 'node:path';
import { sessionName } from '../core/plan.js';
import type { RunManifest } from '../core/types.js';
import { NoMuxDriver } from './drivers.js';
import { pathExists } from './files.js';
import { branchExists, type RepoFacts } from './git.js';
import { worktreeRisks } from './git-risks.js';
import { runGit } from './git-runner.js';
import type { MuxDriver } from './mux.js';
import { TmuxDriver } from './tmux.js';
import { findMarkedWorktrees } from './worktree-marks.js';

/**
 * A stand-in manifest for a run whose run.json is damaged or gone, rebuilt from git's own facts: the
 * worktrees marked at creation (worktree-marks.ts) and the session name the run would have. What cannot
 * be known (ports, agents, the base) is left empty; it is enough to find and remove what the run created.
 */
export async function recoverManifest(repo: RepoFacts, task: string): Promise<RunManifest> {
  const marks = await findMarkedWorktrees(repo.commonDir, task);
  return {
    version: 1,
    task,
    repo: { root: repo.mainRoot, name: repo.name, commonDir: repo.commonDir },
    base: { commit: '', ref: null },
    createdAt: new Date(0).toISOString(),
    phase: 'creating',
    promptFile: null,
    mux: { kind: 'tmux', session: sessionName(repo.name, task), layout: 'tiled' },
    candidates: marks.map((mark) => ({
      n: mark.n,
      name: path.basename(mark.worktree),
      branch: mark.branch,
      worktree: mark.worktree,
      agent: '?',
      command: [],
      prompt: 'none',
      agentEnv: {},
      slot: 0,
      ports: {},
    })),
  };
}

/**
 * The driver whose session the recovered run has, if any: run.json no longer says which multiplexer it
 * used, so the session name is looked up in tmux, then Zellij.
 */
export async function recoveredDriver(manifest: RunManifest, env: NodeJS.ProcessEnv): Promise<MuxDriver> {
  const session = manifest.mux.session!;
  const tmux = new TmuxDriver(env, manifest.repo.root);
  if ((await tmux.version()) !== null && (await tmux.sessionExists(session))) return tmux;
  const { ZellijDriver } = await import('./zellij.js');
  const zellij = new ZellijDriver(env, manifest.repo.root);
  if ((await zellij.version()) !== null && (await zellij.sessions()).some((s) => s.name === session)) {
    manifest.mux.kind = 'zellij';
    return zellij;
  }
  manifest.mux.session = null;
  return new NoMuxDriver();
}

/**
 * What removing a recovered run would lose. Without the base, "unmerged" means: commits on the
 * candidate's branch that no other branch, tag or archive (refs/git-parallel/…) contains.
 */
export async function recoveredWorkAtRisk(manifest: RunManifest): Promise<string[]> {
  const risks: string[] = [];
  const root = manifest.repo.root;
  for (const candidate of manifest.candidates) {
    const phrases: string[] = [];
    const hasBranch = await branchExists(root, candidate.branch);
    if (await pathExists(candidate.worktree)) {
      // The same reading as rm's (issue 10 F2, F3): a detached HEAD's or a reflog's commits, and a
      // worktree git cannot read, count as work.
      const doomed = manifest.candidates.map((c) => c.branch);
      const options = { branch: hasBranch ? candidate.branch : null, doomed, keep: [], branchReflog: true };
      phrases.push(...(await worktreeRisks(root, candidate, options)));
    }
    if (hasBranch) {
      // --exclude patterns for --branches are written without refs/heads/ (git rev-parse's rule).
      const result = await runGit(root, [
        'rev-list',
        '--count',
        `refs/heads/${candidate.branch}`,
        '--not',
        `--exclude=${candidate.branch}`,
        '--branches',
        '--tags',
        '--glob=refs/git-parallel/*',
      ]);
      const only = Number(result.stdout.trim());
      if (only > 0) phrases.push(`${only} commit${only === 1 ? '' : 's'} on no other branch`);
    }
    if (phrases.length > 0) risks.push(`${candidate.name} has ${phrases.join(' and ')}`);
  }
  return risks;
}
