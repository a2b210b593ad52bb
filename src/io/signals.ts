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
  }
}
