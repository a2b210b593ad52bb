import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type CompareReview,
  type ReviewRunning,
  type ReviewVerdict,
  reviewForCompare,
} from '../core/review-verdict.js';
import { writeFileAtomic } from './files.js';
import { isAlive } from './lock.js';
import { inspectRecord, wrongField } from './records.js';

/**
 * What `review` keeps in the run's state folder:
 *
 *   review.json            the verdict (ReviewVerdict, schemas/review.schema.json), written only whole
 *   review-running.json    while a review runs: who runs it (pid) and since when; removed at its end
 *   review/                the last review's blind prompt, each reviewer's raw answers (for the record)
 */
export const verdictPath = (stateDir: string) => path.join(stateDir, 'review.json');
export const runningPath = (stateDir: string) => path.join(stateDir, 'review-running.json');
export const reviewRecordDir = (stateDir: string) => path.join(stateDir, 'review');

export async function writeVerdict(stateDir: string, verdict: ReviewVerdict): Promise<void> {
  await writeFileAtomic(verdictPath(stateDir), `${JSON.stringify(verdict, null, 2)}\n`, 0o600);
}

/**
 * The stored verdict, or null when there is none. A file that is not a verdict (damaged, from another
 * version) is reported by `problem` rather than shown as if it were one.
 */
export async function readVerdict(
  stateDir: string,
): Promise<{ verdict: ReviewVerdict; problem: null } | { verdict: null; problem: string } | null> {
  const read = await inspectRecord<ReviewVerdict>(verdictPath(stateDir), (value) =>
    wrongField(value, { ranking: 'array', candidates: 'array' }) === null &&
    (value as { schemaVersion?: unknown }).schemaVersion === 1
      ? null
      : 'is not a verdict of this version',
  );
  if (read === null) return null;
  return read.problem === null
    ? { verdict: read.value, problem: null }
    : { verdict: null, problem: read.problem };
}

export async function markReviewRunning(stateDir: string, running: ReviewRunning): Promise<void> {
  await writeFileAtomic(runningPath(stateDir), `${JSON.stringify(running)}\n`);
}

export async function clearReviewRunning(stateDir: string): Promise<void> {
  await rm(runningPath(stateDir), { force: true });
}

/**
 * The review running now, or null. A record whose process is gone (killed, the machine restarted) is
 * stale: it reads as no review, so `status` never claims a review that cannot finish.
 */
export async function reviewRunning(
  stateDir: string,
  alive: (pid: number) => boolean = isAlive,
): Promise<ReviewRunning | null> {
  // A damaged marker names no process that could finish a review: as stale as a dead one.
  const read = await inspectRecord<ReviewRunning>(runningPath(stateDir), (value) =>
    wrongField(value, { pid: 'number', startedAt: 'string' }),
  );
  const running = read?.value;
  return running && running.pid > 0 && alive(running.pid) ? running : null;
}

/** The stored verdict as compare shows it, or null; a damaged review.json is said, not shown. */
export async function reviewForReport(
  stateDir: string,
  candidates: readonly { n: number; tree: string | null }[],
  warn: (line: string) => void,
): Promise<CompareReview | null> {
  const read = await readVerdict(stateDir);
  if (read === null) return null;
  if (read.problem !== null) {
    warn(`the review is not shown: ${read.problem}; git parallel review runs it again`);
    return null;
  }
  return reviewForCompare(read.verdict, candidates);
}
