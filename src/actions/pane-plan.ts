import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { candidateEnv, paneTitle, withPrompt } from '../core/agent-command.js';
import {
  environmentChanges,
  type PaneScriptPlan,
  paneScriptName,
  preparedScriptName,
  renderPaneScript,
} from '../core/pane-script.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { installAgentHooks } from '../io/agent-hooks.js';
import { writeFileAtomic } from '../io/files.js';
import { readSetupFailure, setupFailureLines } from '../io/prepared-state.js';
import { sandboxedArgv } from '../io/sandbox.js';
import { readAgentRecord } from '../io/state.js';

export interface PaneEnvironment {
  /** The environment the pane's `sh` already has; `{}` when it is not known yet (run creation). */
  pane: Record<string, string | undefined>;
  /** The caller's variables (io/caller-env.ts), which win over the pane's. */
  caller: Record<string, string>;
}

/**
 * What candidate `candidate`'s pane runs (core/pane-script.ts): the one planner behind both ways a pane
 * script is written, ahead at run creation (preparePaneScripts) and by the Node launcher (actions/launch.ts).
 *
 * The candidate's environment is the caller's variables over the pane's, the candidate's over both; only
 * what differs from `env.pane` is exported. At creation the pane's environment is unknown, so every
 * caller and candidate variable is exported: the sum is the same, since the pane's own values are what
 * the exports leave alone, and io/caller-env.ts keeps the multiplexer's per-pane variables (TMUX,
 * TMUX_PANE, ZELLIJ*) out of the caller's set in both cases.
 */
export async function planPane(
  dir: string,
  manifest: RunManifest,
  candidate: Candidate,
  options: { env: PaneEnvironment; resume?: boolean; restart?: boolean },
): Promise<PaneScriptPlan> {
  const env = { ...options.env.pane, ...options.env.caller, ...candidateEnv(manifest, candidate) };
  const plan: PaneScriptPlan = {
    stateDir: dir,
    n: candidate.n,
    worktree: candidate.worktree,
    exports: environmentChanges(env, options.env.pane),
    say: [header(manifest, candidate)],
    agent: null,
    statusWithoutAgent: 1,
  };
  const earlier = options.resume && !options.restart ? await readAgentRecord(dir, candidate.n) : null;
  // Issue 5: a candidate whose setup failed gets a shell in its worktree, not its agent; the pane says why.
  const setupFailure = await readSetupFailure(dir, candidate.n);
  if (setupFailure) {
    plan.say.push(...setupFailureLines(setupFailure, dir, manifest.task, candidate.n));
  } else if (earlier?.exit) {
    plan.statusWithoutAgent = earlier.exit.code ?? 1;
    plan.say.push(
      `[git-parallel] ${candidate.agent} ${describeExit(earlier.exit)} earlier; not starting it again (git parallel attach ${manifest.task} --restart does).`,
    );
  } else {
    // Agents with hooks (Claude Code, Codex) report waiting/done to `status`; failing here never stops one.
    const hooks = await installAgentHooks(candidate, manifest.task, dir).catch((error: Error) => {
      plan.say.push(`[git-parallel] status hooks not installed: ${error.message}`);
      return { files: [], args: [] };
    });
    // Issue 16: a synthesis candidate has a prompt of its own; every other candidate has the run's.
    const promptFile = candidate.promptFile ?? manifest.promptFile;
    const prompt = promptFile ? await readFile(promptFile, 'utf8') : null;
    const argv = withPrompt(
      [...agentExecutable(candidate, env), ...candidate.command.slice(1), ...hooks.args],
      candidate.prompt,
      prompt,
    );
    // Issue 17: a sandboxed run's agent starts inside bubblewrap (IS_SANDBOX=1 is set in there only).
    const command = manifest.sandbox ? await sandboxedArgv(manifest, candidate, dir, argv, env) : argv;
    const stdinFile = candidate.prompt === 'stdin' && prompt !== null ? promptFile : null;
    plan.agent = { argv: command, name: candidate.agent, stdinFile };
  }
  return plan;
}

/** Writes the launcher's script, `agents/<n>.launch.sh`, and returns its path. */
export async function writePaneScript(plan: PaneScriptPlan): Promise<string> {
  // A prepared script nobody ran is stale once the launcher has planned anew: a later plain start of the
  // pane (a recreation from session.tmux) must not run it.
  await unlink(path.join(plan.stateDir, 'agents', preparedScriptName(plan.n))).catch(ignoreMissing);
  const script = path.join(plan.stateDir, 'agents', paneScriptName(plan.n));
  // It holds the candidate's environment (a database password among it): the user's alone.
  await writeFileAtomic(script, renderPaneScript(plan), 0o600);
  return script;
}

/**
 * Issue 18: at run creation, every pane's script is written ahead (`agents/<n>.prepared.sh`), so that a
 * fresh pane runs `sh` alone and no Node launcher: N Node processes starting at once took the CPU that
 * creating the run needed (about 100 ms of CPU and 55 MB each). The pane's `sh` consumes the file (renames
 * it to `<n>.launch.sh` and sources it, see PANE_SHELL), so any later start of the same pane command reads
 * the run afresh through the Node launcher. A candidate left without a prepared script gets the launcher:
 *   - the `shell` agent when the caller has no SHELL: it runs the pane's $SHELL, known only in the pane;
 *   - a candidate whose planning failed (an unreadable prompt file): the launcher meets the same error in
 *     the pane and shows it there, as before.
 */
export async function preparePaneScripts(
  dir: string,
  manifest: RunManifest,
  caller: Record<string, string>,
): Promise<void> {
  await Promise.all(
    manifest.candidates.map(async (candidate) => {
      if (candidate.agent === 'shell' && !caller.SHELL) return;
      const plan = await planPane(dir, manifest, candidate, { env: { pane: {}, caller } }).catch(() => null);
      if (plan === null) return;
      const file = path.join(dir, 'agents', preparedScriptName(candidate.n));
      await writeFileAtomic(file, renderPaneScript(plan), 0o600);
    }),
  );
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/** The `shell` preset runs the user's own $SHELL when there is one; `sh` is its fallback. */
function agentExecutable(candidate: Candidate, env: NodeJS.ProcessEnv): string[] {
  const executable = candidate.command[0]!;
  if (candidate.agent === 'shell' && path.basename(executable) === 'sh' && env.SHELL) return [env.SHELL];
  return [executable];
}

function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function header(manifest: RunManifest, candidate: Candidate): string {
  const base = manifest.base.ref ?? manifest.base.commit.slice(0, 10);
  return `── ${paneTitle(manifest, candidate)} · branch ${candidate.branch} from ${base} ──`;
}
