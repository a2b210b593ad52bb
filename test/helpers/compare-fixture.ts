import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli.js';
import type { TestRepo } from './repo.js';
import { makeStandIn } from './stand-in-agent.js';

/**
 * A run of `count` candidates for `compare` tests, made by the real CLI (`--mux none`, agents never
 * launched): each test then shapes the worktrees with real git, as an agent would.
 */
export async function makeCompareRun(repo: TestRepo, task: string, count: number): Promise<string[]> {
  const agent = makeStandIn(repo.parent);
  writeFileSync(
    path.join(repo.root, '.git-parallelrc.json'),
    JSON.stringify({ agent: 'a1', agents: { a1: agent.defineWith({}) } }),
  );
  repo.git('add', '.git-parallelrc.json');
  repo.git('commit', '--quiet', '-m', 'config');
  const created = await runCli([task, '-n', `a1:${count}`, '--mux', 'none', '--trust'], { cwd: repo.root });
  if (created.code !== 0) throw new Error(`creating the run failed: ${created.stderr}`);
  return Array.from({ length: count }, (_, i) =>
    path.join(repo.parent, `${path.basename(repo.root)}-worktrees`, `${task}-${i + 1}`),
  );
}

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/**
 * Everything compare must leave alone: in the repository and each worktree every file's bytes (symlinks
 * by target) and modification time, the git folder included — refs, HEADs, indexes, logs — except the
 * object store (snapshots add unreachable objects there) and the run state in .git/parallel.
 */
export function fingerprintAll(repo: TestRepo, worktrees: string[]): string {
  const parts: Record<string, string> = {
    refs: gitIn(repo.root, 'for-each-ref', '--format=%(refname) %(objectname)'),
  };
  for (const worktree of [repo.root, ...worktrees]) {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['.git/objects', '.git/parallel'].includes(path.relative(repo.root, full))) walk(full);
        } else if (entry.isSymbolicLink()) files.push(`${full} -> ${readlinkSync(full)}`);
        else {
          const digest = createHash('sha256').update(readFileSync(full)).digest('hex');
          files.push(`${full} ${digest} ${statSync(full).mtimeMs}`);
        }
      }
    };
    try {
      walk(worktree);
    } catch {
      files.push('(gone)');
    }
    parts[worktree] = files.sort().join('\n');
  }
  return JSON.stringify(parts);
}
