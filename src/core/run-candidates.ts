import { UsageError } from '../errors.js';
import type { Candidate, RunManifest } from './types.js';

/** The run's candidate numbered `n`, or the one-line refusal every command gives for another number. */
export function candidateNumbered(manifest: RunManifest, n: number): Candidate {
  if (!Number.isInteger(n)) throw new UsageError(`a candidate is a number, such as 1; got ${n}`);
  const candidate = manifest.candidates.find((c) => c.n === n);
  if (!candidate) {
    const numbers = manifest.candidates.map((c) => c.n).join(', ') || 'none';
    throw new UsageError(`the run ${manifest.task} has no candidate ${n} (it has ${numbers})`);
  }
  return candidate;
}
