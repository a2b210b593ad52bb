/**
 * Runs `task` for every item with at most `limit` running at once, in item order, and settles all of
 * them (one failure does not leave the others running unobserved). Results keep the items' order.
 */
export function settleWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const limited = createLimiter(Math.max(1, Math.floor(limit)));
  return Promise.allSettled(items.map((item, index) => limited(() => task(item, index))));
}

/**
 * A gate for at most `width` tasks at once, started in the order they ask. Tasks may ask for more tasks
 * (a tree walk) as long as they do not wait for them while holding their own place.
 */
export function createLimiter(width: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= width) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * How many candidates are prepared at once: setup commands such as `npm ci` are CPU- and disk-heavy, so
 * about one per core, but at least two so a slow candidate does not hold up the rest.
 */
export function preparationWidth(candidates: number, cores: number): number {
  return Math.max(1, Math.min(candidates, Math.max(2, Math.min(cores, 8))));
}
