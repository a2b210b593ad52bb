import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, type CliResult } from '../helpers/cli.js';

/**
 * The CLI started as a terminal starts it: leader of its own process group, so a signal to the group
 * (`kill -INT -<pid>`, what Ctrl-C does) reaches git-parallel and every program it started that did not
 * leave the group.
 */
export interface GroupRun {
  child: ChildProcess;
  /** Signals the whole process group, as the terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  stderr(): string;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

export function startInGroup(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): GroupRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr }),
    );
  });
  return {
    child,
    signalGroup: (signal) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group has no process left.
      }
    },
    stderr: () => stderr,
    done,
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same delays on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A content hash of a folder's files (not `.git`): what "nothing was lost" is checked against. */
export function folderHash(folder: string): string {
  const hash = createHash('sha256');
  if (!existsSync(folder)) return 'absent';
  const files = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => path.relative(folder, f).split(path.sep)[0] !== '.git')
    .sort();
  for (const file of files) hash.update(`${path.relative(folder, file)}\0`).update(readFileSync(file));
  return hash.digest('hex');
}
