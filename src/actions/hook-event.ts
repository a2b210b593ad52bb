import { HOOK_EVENTS, type HookEvent, nextHookEvent } from '../core/agent-state.js';
import { assertTaskNames } from '../core/names.js';
import { UsageError } from '../errors.js';
import { readHookEvent, writeHookEvent } from '../io/agent-hooks.js';
import { readRepo } from '../io/git.js';
import { readAgentRecord, runDir } from '../io/state.js';

export interface HookEventArgs {
  task: string;
  n: number;
  event: string;
  stateDir?: string;
  /** Codex's notify passes its JSON payload as the last argument. */
  payload?: string;
}

/**
 * Hidden: what an agent's hook runs (see io/agent-hooks.ts). Records the event in the run's state.
 * It runs inside the agent, so it must be quick and must never disturb the agent: every failure is
 * printed on stderr and the exit code is still 0 (a failing hook would show up in the agent's UI or,
 * for Claude Code's Stop hook, could even keep it from stopping).
 */
export async function hookEvent(
  args: HookEventArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; stdin: NodeJS.ReadStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (!(HOOK_EVENTS as readonly string[]).includes(args.event)) {
    throw new UsageError(`unknown hook event ${JSON.stringify(args.event)}; use ${HOOK_EVENTS.join(', ')}`);
  }
  try {
    // The task check of every command, here inside the try: a hook must never fail its agent (issue 10 F1).
    assertTaskNames(args.task);
    const dir = args.stateDir ?? runDir((await readRepo(io.cwd)).commonDir, args.task);
    const input = args.payload ?? (await readStdin(io.stdin, 1000));
    if (isSideTurn(input)) return 0;
    const event: HookEvent = { event: args.event as HookEvent['event'], at: new Date() };
    const message = messageOf(input);
    if (message) event.message = message;
    const [current, record] = await Promise.all([readHookEvent(dir, args.n), readAgentRecord(dir, args.n)]);
    const next = nextHookEvent(current, event, record ? new Date(record.startedAt) : null);
    if (next !== current) await writeHookEvent(dir, args.n, next);
  } catch (error) {
    io.stderr.write(`git-parallel hook-event: ${(error as Error).message}\n`);
  }
  return 0;
}

/**
 * Claude Code's Notification payload carries `message` ("Claude needs your permission to use Bash"), its
 * StopFailure payload `error` and `error_details`; Copilot CLI's errorOccurred payload an `error` object
 * with its own `message`.
 */
export function messageOf(input: string): string | undefined {
  if (input.trim() === '') return undefined;
  try {
    const payload = JSON.parse(input) as Record<string, unknown>;
    const error = payload.error;
    const errorText =
      typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : error;
    const text = [payload.message, payload.error_details, errorText].find(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    return text?.slice(0, 200);
  } catch {
    return undefined;
  }
}

/**
 * Codex runs `notify` for every finished turn of every thread, and it names each new session in a
 * thread of its own (its fixed prompt starts "Generate a concise, single-line task title"), which ends
 * while the real turn is still running: that one is not the agent's turn.
 */
export function isSideTurn(input: string): boolean {
  if (input.trim() === '') return false;
  try {
    const payload = JSON.parse(input) as Record<string, unknown>;
    const messages = payload['input-messages'];
    return (
      Array.isArray(messages) &&
      typeof messages[0] === 'string' &&
      messages[0].startsWith('Generate a concise, single-line task title')
    );
  } catch {
    return false;
  }
}

/** The hook's JSON on stdin, if any: never waits on a terminal, and gives up after `timeoutMs`. */
function readStdin(stdin: NodeJS.ReadStream, timeoutMs: number): Promise<string> {
  if (stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      stdin.removeAllListeners('data');
      stdin.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(finish, timeoutMs);
    stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdin.once('end', finish);
    stdin.once('error', finish);
  });
}
