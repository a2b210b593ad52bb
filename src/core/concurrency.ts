/**
 * Runs `task` for every item with at most `limit` running at once, in item order, and settles all of
 * them (one failure does not leave the others running unobserved). Results keep the items' order.
 */
export async function settleWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await task(items[index]!, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  const width = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/**
 * How many candidates are prepared at once: setup commands such as `npm ci` are CPU- and disk-heavy, so
 * about one per core, but at least two so a slow candidate does not hold up the rest.
 */
export function preparationWidth(candidates: number, cores: number): number {
  return Math.max(1, Math.min(candidates, Math.max(2, Math.min(cores, 8))));
}
