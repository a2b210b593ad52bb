import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentStateName, FINISHED_STATES, type WatchEvent, watchEvents } from '../core/agent-state.js';
import type { RunStatus } from '../core/run-status.js';
import { run } from '../io/exec.js';
import { which } from '../io/which.js';
import { colourWanted, painter, SCHEMA_VERSION } from '../output/reporter.js';
import { candidateTable, clock, stateLabel, watchFooter } from '../output/status-text.js';
import type { StatusArgs, StatusIo } from './status.js';

/**
 * `--watch`: on a terminal the table is redrawn in place every interval; otherwise (a pipe, a log) one
 * line is printed per state change, so the output reads as a log. When an agent starts waiting, and
 * when every agent has finished, the terminal bell rings and a desktop notification is sent where
 * `notify-send` (Linux) or `osascript` (macOS) exists. Ctrl-C ends it (exit code 0: stopping a watch is
 * not a failure).
 */
export async function watch(
  args: StatusArgs,
  io: StatusIo,
  gather: () => Promise<RunStatus[] | null>,
): Promise<void> {
  const notifier = await desktopNotifier(io.env);
  let previous: Map<string, AgentStateName> | null = null;
  if (io.isTerminal) io.out.write('\x1b[?25l');
  try {
    while (!io.signal.aborted) {
      const runs = await gather();
      if (runs === null) {
        io.reporter.info(`${args.task} is gone (picked or removed); stopped watching.`);
        return;
      }
      const now = new Date();
      const agents = runs.flatMap((r) => r.candidates);
      const events = watchEvents(previous, agents);
      if (io.reporter.json) {
        for (const c of agents.filter((a) => previous?.get(a.name) !== a.state)) {
          io.out.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, at: now.toISOString(), ...c })}\n`);
        }
      } else if (io.isTerminal) {
        const paint = painter(colourWanted({ isTTY: io.isTerminal }, io.env));
        const lines = args.task
          ? candidateTable(runs[0]!, now, paint)
          : runs.flatMap((r) => [`${r.task}:`, ...candidateTable(r, now, paint), '']);
        io.out.write(`\x1b[H\x1b[J${lines.join('\n')}\n\n${watchFooter(agents, args.interval)}\n`);
      } else {
        for (const c of agents.filter((a) => previous?.get(a.name) !== a.state)) {
          io.out.write(`${clock(now)} ${c.name} ${stateLabel(c)}: ${c.reason}\n`);
        }
      }
      for (const event of events) await announce(event, io, notifier, args.task);
      // Like `gh run watch`: nothing more will change once every agent has finished, so the watch ends.
      if (agents.length > 0 && agents.every((a) => FINISHED_STATES.includes(a.state))) {
        if (previous === null) {
          const text = `all agents${args.task ? ` of ${args.task}` : ''} have finished`;
          if (io.isTerminal || io.reporter.json) io.reporter.info(text);
          else io.out.write(`${clock(now)} ${text}\n`);
        }
        return;
      }
      previous = new Map(agents.map((a) => [a.name, a.state]));
      await sleep(args.interval * 1000, undefined, { signal: io.signal }).catch(() => undefined);
    }
  } finally {
    if (io.isTerminal) io.out.write('\x1b[?25h');
  }
}

async function announce(
  event: WatchEvent,
  io: StatusIo,
  notifier: Notifier | null,
  task: string | undefined,
): Promise<void> {
  const text =
    event.kind === 'waiting'
      ? `${event.name} is waiting for input${event.reason.startsWith('asks: ') ? ` (${event.reason.slice(6)})` : ''}`
      : `all agents${task ? ` of ${task}` : ''} have finished`;
  io.out.write('\x07');
  if (io.isTerminal || io.reporter.json) io.reporter.info(text);
  else io.out.write(`${clock(new Date())} ${text}\n`);
  if (notifier) {
    const result = await notifier(text).catch((error: Error) => ({ exitCode: 1, stderr: error.message }));
    if (result.exitCode !== 0)
      io.reporter.warn(`the desktop notification failed: ${result.stderr.trim().split('\n')[0]}`);
  }
}

type Notifier = (text: string) => Promise<{ exitCode: number; stderr: string }>;

/** `notify-send` (freedesktop) or `osascript` (macOS), whichever exists; null when neither does. */
async function desktopNotifier(env: NodeJS.ProcessEnv): Promise<Notifier | null> {
  const options = { cwd: '/', env, check: false, timeout: 5000 };
  const notifySend = await which('notify-send', '/', env);
  if (notifySend) return (text) => run(notifySend, ['git parallel', text], options);
  const osascript = process.platform === 'darwin' ? await which('osascript', '/', env) : null;
  if (osascript) {
    // AppleScript string literal: backslashes and double quotes escaped; passed as argv, no shell.
    const quote = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    return (text) =>
      run(osascript, ['-e', `display notification ${quote(text)} with title "git parallel"`], options);
  }
  return null;
}
