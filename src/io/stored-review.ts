import path from 'node:path';
import { parseStoredReview, type StoredReview } from '../core/stored-review.js';
import { readIfExists } from './files.js';

/** The review verdict `git parallel review` stored for a run, or null when there is none (or it is unreadable). */
export async function readStoredReview(stateDir: string): Promise<StoredReview | null> {
  const text = await readIfExists(path.join(stateDir, 'review.json'));
  return text === null ? null : parseStoredReview(text);
}
