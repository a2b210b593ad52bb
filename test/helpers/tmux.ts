import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A private tmux server (`tmux -L <name>`), so tests never see or touch the developer's sessions.
 * git-parallel is pointed at it with GIT_PARALLEL_TMUX_SOCKET; `kill()` ends the server.
 */
export interface PrivateTmux {
  socket: string;
  env: Record<string, string>;
  tmux(...args: string[]): string;
  /** tmux's answer, or null when the command failed (no server, no such session). */
  tryTmux(...args: string[]): string | null;
  kill(): void;
}

export function privateTmux(): PrivateTmux {
  const socket = `gp-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
  return {
    socket,
    env: { GIT_PARALLEL_TMUX_SOCKET: socket },
    tmux,
    tryTmux: (...args) => {
      try {
        return tmux(...args);
      } catch {
        return null;
      }
    },
    kill: () => {
      try {
        execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
      } catch {
        // No server running: nothing to kill.
      }
    },
  };
}
