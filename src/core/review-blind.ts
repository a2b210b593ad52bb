/**
 * Blinding for `review`: a reviewer sees the candidates under shuffled letters, and none of what would
 * tell it who wrote them or in which order they were made (agent names, candidate numbers, branch and
 * worktree names). Pure: the shuffle takes its random source, so tests can pin it.
 */

export interface BlindableCandidate {
  n: number;
  name: string;
  branch: string;
  worktree: string;
  agent: string;
}

/** Letters A…Z, then AA, AB…: enough for any run. */
export function letterAt(index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return index < 26
    ? alphabet[index]!
    : `${alphabet[Math.floor(index / 26) - 1] ?? 'Z'}${alphabet[index % 26]!}`;
}

/**
 * A letter for every candidate number, in shuffled order (Fisher–Yates with `random` in [0, 1)), so
 * that candidate 1 is not always A. Returned in letter order: A first.
 */
export function assignLetters(numbers: readonly number[], random: () => number): Map<string, number> {
  const order = [...numbers];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return new Map(order.map((n, i) => [letterAt(i), n]));
}

/**
 * Agent names too short or too common to remove from a diff without wrecking it (`sh` is in every
 * `#!/bin/sh`); a human at a shell is no agent to favour anyway.
 */
const UNSCRUBBED_AGENTS = new Set(['shell', 'sh', 'bash', 'zsh', 'node']);

/**
 * A function that removes from a text (a diff, a check's log) every candidate's worktree path, branch
 * and name (`<task>-<n>`), and the writers' agent names (as whole words, in any case, when they are at
 * least three letters long). The task name itself stays: every candidate shares it.
 *
 * The price: an agent's name that the project's own code contains ("claude" in an AI project) is
 * replaced there too. Blinding wins, and the reviewer is told what the placeholders mean.
 */
export function scrubberFor(candidates: readonly BlindableCandidate[]): (text: string) => string {
  const rules: [RegExp, string][] = [];
  const paths = candidates.map((c) => c.worktree).sort((a, b) => b.length - a.length);
  for (const worktree of paths) rules.push([new RegExp(escapeRegExp(worktree), 'g'), '<worktree>']);
  const names = [...new Set(candidates.flatMap((c) => [c.branch, c.name]))].sort(
    (a, b) => b.length - a.length,
  );
  for (const name of names) {
    rules.push([new RegExp(`(?<![\\w./-])${escapeRegExp(name)}(?![\\w-])`, 'g'), '<candidate>']);
  }
  const agents = [...new Set(candidates.map((c) => c.agent))].filter(
    (agent) => agent.length >= 3 && !UNSCRUBBED_AGENTS.has(agent.toLowerCase()),
  );
  for (const agent of agents) {
    rules.push([new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(agent)}(?![A-Za-z0-9])`, 'gi'), '<agent>']);
  }
  return (text) => rules.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/**
 * Puts the candidates' numbers back into a reviewer's words: "candidate B", "Candidates A and C" →
 * "candidate 2", "Candidates 1 and 3". Only letters after the word "candidate(s)" are read as
 * candidates (the prompt asks reviewers to write them so), never a lone "A", which is also a word.
 */
export function unblindText(text: string, letters: ReadonlyMap<string, number>): string {
  const list =
    /\b([Cc]andidates?)(\s+)([A-Z]{1,2})((?:\s*(?:,|and|or|&|\/|vs\.?)\s*[A-Z]{1,2}\b)*)(?![A-Za-z0-9])/g;
  return text.replace(list, (whole, word: string, space: string, first: string, rest: string) => {
    const all = [first, ...(rest.match(/[A-Z]{1,2}\b/g) ?? [])];
    if (!all.every((l) => letters.has(l))) return whole;
    const swapped = rest.replace(/[A-Z]{1,2}\b/g, (l) => String(letters.get(l)));
    return `${word}${space}${letters.get(first)}${swapped}`;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
