import { readFile } from 'node:fs/promises';
import { detectDialog } from '../core/agent-screens.js';
import { CommandFailure, UsageError } from '../errors.js';
import { writeHookEvent } from '../io/agent-hooks.js';
import { agentPanesFor } from '../io/agent-panes.js';
import { readRepo } from '../io/git.js';
import { readAgentRecord, requireManifest } from '../io/state.js';
import { ZellijPanes } from '../io/zellij-panes.js';
import type { Reporter } from '../output/reporter.js';

export interface SendArgs {
  task: string;
  /** Candidate numbers; empty means every candidate. */
  targets: number[];
  /** The text; null with `prompt`: each candidate's own prompt of the run. */
  text: string | null;
  /** Type even where an agent waits at a permission prompt or dialog. */
  force?: boolean;
  /**
   * Send each candidate the run's prompt again (`send --prompt`), byte for byte from the run's state: for
   * an agent that dropped it (Gemini CLI at its sign-in screen, see core/agent-screens.ts).
   */
  prompt?: boolean;
}

/**
 * `git parallel send <task> [<n>…] <text>`: types the same follow-up into every agent's pane (or the
 * chosen ones) and presses Enter. The text is typed literally (tmux `send-keys -l`, Zellij `paste`),
 * never through a shell. A candidate whose agent has exited is skipped: its pane then holds a shell in
 * the worktree, where the text would run as a command.
 */
export async function sendText(
  args: SendArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const repo = await readRepo(io.cwd);
  const { manifest, dir } = await requireManifest(repo.commonDir, args.task);
  if (args.prompt && args.text !== null) {
    throw new UsageError('give either the text or --prompt, not both');
  }
  if (!args.prompt && (args.text ?? '').trim() === '') throw new UsageError('the text to send is empty');
  const known = new Set(manifest.candidates.map((c) => c.n));
  const unknown = args.targets.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `the run ${args.task} has no candidate ${unknown.join(', ')} (it has ${[...known].join(', ')})`,
    );
  }
  if (manifest.mux.kind === 'none' || manifest.mux.session === null) {
    throw new UsageError(
      `the run ${args.task} has no multiplexer session; type into each agent's terminal yourself`,
    );
  }
  const session = manifest.mux.session;
  const chosen =
    args.targets.length > 0
      ? manifest.candidates.filter((c) => args.targets.includes(c.n))
      : manifest.candidates;
  // Issue 16: a synthesis candidate has a prompt of its own; every other candidate has the run's.
  const texts = new Map<number, string>();
  for (const candidate of chosen) {
    const file = args.prompt ? (candidate.promptFile ?? manifest.promptFile) : null;
    if (args.prompt && !file) {
      throw new UsageError(
        `the run ${args.task} has no prompt to send (${candidate.name} started without one)`,
      );
    }
    texts.set(candidate.n, file ? await readFile(file, 'utf8') : (args.text ?? ''));
  }

  const panes = await agentPanesFor(manifest, io.env);
  if ((await panes.sessionAlive()) === false) {
    throw new UsageError(
      `the ${manifest.mux.kind} session ${session} is gone; git parallel attach ${args.task} recreates it`,
    );
  }
  const paneMap = await panes.panes();
  if (paneMap === null) {
    // Zellij before 0.44 cannot address a pane: it can only type where the focus is.
    const zellij = new ZellijPanes(io.env);
    await zellij.sendToFocusedPane(session, texts.get(chosen[0]!.n)!);
    io.reporter.warn(
      `this Zellij cannot type into a chosen pane (that needs 0.44+): the text went to the FOCUSED pane of ${session} only`,
    );
    io.reporter.document({ sent: ['(focused pane)'], skipped: [] });
    return;
  }

  const sent: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const ready: { candidate: (typeof chosen)[number]; pane: NonNullable<ReturnType<typeof paneMap.get>> }[] =
    [];
  const blocked: string[] = [];
  for (const candidate of chosen) {
    const record = await readAgentRecord(dir, candidate.n);
    const pane = paneMap.get(candidate.n);
    const reason = record?.exit
      ? 'its agent has exited (its pane now runs a shell, where the text would run as a command)'
      : !pane
        ? 'its pane is gone'
        : pane.dead
          ? "its pane's program has exited"
          : null;
    if (reason || !pane) {
      skipped.push({ name: candidate.name, reason: reason ?? 'its pane is gone' });
      continue;
    }
    // Typed into a dialog, the text answers it: "p" of "please" picks "don't ask again" in Codex.
    const screen = args.force ? null : await panes.content(pane);
    const dialog = screen === null ? null : detectDialog(screen);
    if (dialog) blocked.push(`${candidate.name} (${dialog.what})`);
    ready.push({ candidate, pane });
  }
  if (blocked.length > 0) {
    throw new UsageError(
      `not sent: ${blocked.join(', ')} ${blocked.length === 1 ? 'waits' : 'wait'} for an answer; answer in the pane (git parallel attach ${args.task}), or pass --force to type anyway`,
    );
  }
  for (const { candidate, pane } of ready) {
    await panes.send(pane, texts.get(candidate.n)!);
    // A new message means the agent is at work again: a "waiting" or "done" it reported is over.
    await writeHookEvent(dir, candidate.n, { event: 'working', at: new Date() });
    sent.push(candidate.name);
  }
  for (const skip of skipped) io.reporter.warn(`skipped ${skip.name}: ${skip.reason}`);
  io.reporter.document({ sent, skipped });
  if (sent.length === 0) throw new CommandFailure(`sent to no agent of ${args.task}`);
  if (!io.reporter.json) io.reporter.info(`Sent to ${sent.join(', ')}.`);
}

/**
 * Splits `send`'s words: the last is the text, the ones before it are candidate numbers. Pure, so the
 * command can reject `send feat x "text"` with a clear message.
 */
export function parseSendWords(words: string[], prompt = false): { targets: number[]; text: string | null } {
  if (words.length === 0 && !prompt)
    throw new UsageError('say what to send: git parallel send <task> [<n>…] <text>');
  // With --prompt every word is a candidate number: the text is the run's prompt.
  const text = prompt ? null : words[words.length - 1]!;
  const targets = (prompt ? words : words.slice(0, -1)).map((word) => {
    if (!/^[1-9]\d*$/.test(word)) {
      throw new UsageError(
        `${JSON.stringify(word)} is not a candidate number; quote the text to send as one argument`,
      );
    }
    return Number(word);
  });
  return { targets: [...new Set(targets)], text };
}
