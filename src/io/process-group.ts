/**
 * A command's process group: signalled as a whole, and waited for until no process of it lives, so what
 * a stopped command started does not outlive it (exec.ts's timeouts, Ctrl-C and ownGroup).
 */

/** How long a stopped command's process group has between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 2_000;

export function killGroup(pid: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // ESRCH: the group has no process left.
    return false;
  }
}

type StopReason = 'timeout' | 'abort' | 'maxBuffer';

interface Stopper {
  /** Why the command was stopped, if it was. */
  reason: StopReason | null;
  now(reason: StopReason): void;
  /** Resolves once a stopped command's process group has no process left (at once when not stopped). */
  settled(): Promise<void>;
}

/**
 * Stops a command: its process group when it has one of its own (what it started goes with it), else the
 * child; SIGTERM first, SIGKILL after STOP_GRACE_MS.
 */
export function stopperOf(
  subprocess: { pid?: number; kill(signal: NodeJS.Signals): boolean },
  ownGroup: boolean,
): Stopper {
  const pid = subprocess.pid;
  const send = (signal: NodeJS.Signals) => {
    if (ownGroup) killGroup(pid, signal);
    else subprocess.kill(signal);
  };
  let force: NodeJS.Timeout | null = null;
  const stopper: Stopper = {
    reason: null,
    now(reason) {
      if (stopper.reason) return;
      stopper.reason = reason;
      send('SIGTERM');
      force = setTimeout(() => send('SIGKILL'), STOP_GRACE_MS);
      force.unref();
    },
    async settled() {
      if (!stopper.reason) return;
      if (ownGroup) await groupGone(pid, STOP_GRACE_MS);
      if (force) clearTimeout(force);
    },
  };
  return stopper;
}

/** Waits until process group `pid` has no living process: `graceMs` for it to end by itself, then SIGKILL. */
export async function groupGone(pid: number | undefined, graceMs: number): Promise<void> {
  if (pid === undefined) return;
  const deadline = Date.now() + graceMs;
  while (await groupHasLiving(pid)) {
    if (Date.now() > deadline) {
      killGroup(pid, 'SIGKILL');
      // A SIGKILLed process ends at once; this only waits for the kernel to be done with it.
      const killed = Date.now() + 1_000;
      while ((await groupHasLiving(pid)) && Date.now() < killed) await pause(10);
      return;
    }
    await pause(10);
  }
}

/**
 * Whether a process of group `pgid` still runs. A zombie does not: it has exited and waits for its parent
 * to collect it, which for an orphan is init — in a container, an init that may take a second or more.
 * Linux reads the members' states from /proc; elsewhere a zombie counts as running (launchd collects
 * orphans at once).
 */
async function groupHasLiving(pgid: number): Promise<boolean> {
  if (!killGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  const { readdir, readFile } = await import('node:fs/promises');
  for (const name of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // "pid (command) state ppid pgrp …"; the command may hold spaces and parentheses.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
