import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Turns SIGINT/SIGTERM into an AbortSignal for the duration of `action`, so a creation in progress can
 * stop between steps and clean up instead of dying half way. A second signal while cleaning up is ignored:
 * the cleanup is what leaves the repository as it was.
 */
export async function withInterruptSignal<T>(
  action: (signal: AbortSignal, received: () => NodeJS.Signals | null) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await action(controller.signal, () => received);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Interrupted and cleaned up: the process ends now, with its report. Ctrl-C pressed again must not kill
    // it first, or the report ("nothing was left behind", or what was) is never printed.
    if (received) {
      process.on('SIGINT', ignore);
      process.on('SIGTERM', ignore);
    }
  }
}

function ignore(): void {}

const shield = new AsyncLocalStorage<true>();

/**
 * Runs `action` with every program it starts in a process group of its own (issue 10 F6). Ctrl-C in a
 * terminal signals the whole foreground group: ignoring a second Ctrl-C in git-parallel is not enough
 * while its `git worktree remove` children would still die of it, half way through a rollback.
 */
export function shieldedFromTerminalSignals<T>(action: () => Promise<T>): Promise<T> {
  return shield.run(true, action);
}

/** Whether the program about to be started must be kept out of the terminal's process group. */
export function childrenShielded(): boolean {
  return shield.getStore() === true;
}
