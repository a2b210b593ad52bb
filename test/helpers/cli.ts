import { spawn } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(REPO_ROOT, 'bin', 'git-parallel.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user does (`npm test` builds first), with stdin closed unless given,
 * so it is never a terminal and never attaches.
 */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    input?: string;
    signalAfter?: { signal: NodeJS.Signals; when: (stderr: string) => boolean };
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (options.signalAfter && !signalled && options.signalAfter.when(stderr)) {
        signalled = true;
        child.kill(options.signalAfter.signal);
      }
    });
    const poll = options.signalAfter
      ? setInterval(() => {
          if (!signalled && options.signalAfter!.when(stderr)) {
            signalled = true;
            child.kill(options.signalAfter!.signal);
          }
        }, 20)
      : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
