/**
 * Counting many branches' commits from one git process (issue 18): `git rev-list --parents <tips…> --not
 * <base>` lists every commit the base does not contain, each with its parents, for all tips together; the
 * commits one tip reaches within that graph are exactly those of `base..tip`, because a commit the base
 * contains has all its ancestors contained too, so no walk from a tip needs to pass through one.
 */

/** commit → parents, from `rev-list --parents` output ("<commit> <parent>…" a line). */
export function parseParentLines(stdout: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [commit, ...parents] = line.trim().split(' ');
    if (commit) graph.set(commit, parents.filter(Boolean));
  }
  return graph;
}

/** How many commits of `graph` (commit → parents) `tip` reaches, itself included; 0 when it is not in it. */
export function reachableWithin(graph: Map<string, string[]>, tip: string): number {
  const seen = new Set<string>();
  const stack = [tip];
  while (stack.length > 0) {
    const commit = stack.pop()!;
    if (seen.has(commit) || !graph.has(commit)) continue;
    seen.add(commit);
    stack.push(...graph.get(commit)!);
  }
  return seen.size;
}

/**
 * The merge base `git merge-base <a> <b>` prints, from `git rev-parse <a>...<b>`'s lines after its two
 * ends: git lists the merge bases there as `^<commit>`, in the order merge-base finds them. Null when there
 * is none (merge-base fails then); undefined when there are several, where merge-base's choice among them
 * is left to merge-base itself.
 */
export function mergeBaseFromSymmetric(excluded: string[]): string | null | undefined {
  if (excluded.length === 0) return null;
  if (excluded.length > 1) return undefined;
  return excluded[0]!.slice(1);
}
