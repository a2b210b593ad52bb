import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  codexNotifyArgs,
  copilotHooks,
  type NotMergeable,
  opencodePlugin,
  withClaudeHooks,
  withGeminiHooks,
} from '../core/agent-hook-files.js';
import { HOOK_EVENTS, type HookEvent } from '../core/agent-state.js';
import { describeCommand } from '../core/command-text.js';
import type { Candidate } from '../core/types.js';
import { UsageError } from '../errors.js';
import { pathExists, readIfExists, writeFileAtomic } from './files.js';
import { isTracked } from './git.js';
import { runGit } from './git-runner.js';
import { packageRoot } from './launcher-path.js';
import { inspectRecord, wrongField } from './records.js';
import { manifestPath } from './state.js';

/**
 * Agents that can say "I need input" and "I am done" themselves report it to the run's state, where
 * `status` reads it: `<state>/agents/<n>.event.json`, written by our hidden `hook-event` command.
 *
 * The hooks are installed in the candidate's WORKTREE only, in the agent's project-local config, and
 * hidden from git there. The user's global agent config (~/.claude, ~/.codex) is never touched, and the
 * main worktree never changes.
 *
 * Claude Code: `.claude/settings.local.json` ("local project settings, not committed"), with
 *   `hooks.<Event>[] = { hooks: [{ type: "command", command }] }`; Notification, Stop and
 *   UserPromptSubmit take no matcher, so it is left out. `command` is run by a shell.
 *   Source: https://docs.claude.com/en/docs/claude-code/hooks ("Configuration", "Structure").
 * Claude Code also gets StopFailure → failed (a turn that ended in an API error), and, when it runs with
 *   --dangerously-skip-permissions, `skipDangerousModePermissionPrompt: true`: the user asked for that mode
 *   with --yolo, and the warning's default answer (Enter) is "No, exit".
 * Codex CLI: `notify = ["prog", "arg", …]`, given on its command line as `-c notify=[…]`: Codex 0.171
 *   ignores `notify` in a project-local `.codex/config.toml` ("Ignored unsupported project-local config
 *   keys"). Codex runs that argv (no shell) with one more argument, a JSON payload
 *   `{"type":"agent-turn-complete",…}`, when a turn ends. Sources: openai/codex docs/config.md
 *   ("notify"), codex-rs/core/src/user_notification.rs. Notify covers "turn complete" only: "waiting" comes
 *   from its approval dialog on screen (core/agent-screens.ts).
 * Gemini CLI `.gemini/settings.json`, opencode `.opencode/plugins/git-parallel-status.js`, Copilot CLI
 *   `.github/hooks/git-parallel-status.json`: see withGeminiHooks, opencodePlugin and copilotHooks
 *   (core/agent-hook-files.ts, which renders every one of these files).
 *
 * Hiding the files from git, per worktree (the common `info/exclude` would hide them in every worktree,
 * the main one included, so it is not used):
 *   - a file git already ignores is left as it is;
 *   - an untracked file gets a `.gitignore` beside it (`.claude/.gitignore`) that ignores the file and
 *     itself, so `git status` stays clean and nothing new can be committed by accident;
 *   - a TRACKED file is merged into (never overwritten) and marked `--skip-worktree` in that worktree's
 *     own index, so its change does not show and `git add -A` does not stage it; `snapshotTree` copies
 *     that index, so archives leave it out too.
 */
export type HookKind = 'claude' | 'codex' | 'gemini' | 'opencode' | 'copilot';

export const hookEventPath = (stateDir: string, n: number) =>
  path.join(stateDir, 'agents', `${n}.event.json`);

/** Which hook mechanism a candidate's agent has, from its executable's name. */
export function hookKindFor(candidate: Pick<Candidate, 'command'>): HookKind | null {
  const executable = path.basename(candidate.command[0] ?? '');
  if (executable === 'claude') return 'claude';
  if (executable === 'codex') return 'codex';
  if (executable === 'gemini') return 'gemini';
  if (executable === 'opencode') return 'opencode';
  if (executable === 'copilot') return 'copilot';
  return null;
}

/** The argv our hooks run: Node and our bin by absolute path, so the hook needs no PATH. */
export function hookEventArgv(
  stateDir: string,
  task: string,
  n: number,
  event: HookEvent['event'],
): string[] {
  return [
    process.execPath,
    path.join(packageRoot(), 'bin', 'git-parallel.js'),
    'hook-event',
    task,
    String(n),
    event,
    '--state-dir',
    stateDir,
  ];
}

export interface InstalledHooks {
  /** Files written, relative to the worktree. */
  files: string[];
  /** Arguments to add to the agent's command line, before its prompt. */
  args: string[];
}

/**
 * Installs the status hooks for a candidate's agent before it starts: files in its worktree, and the
 * arguments its command line needs. Nothing for an agent that has no hooks we know.
 */
export async function installAgentHooks(
  candidate: Candidate,
  task: string,
  stateDir: string,
): Promise<InstalledHooks> {
  const kind = hookKindFor(candidate);
  if (kind === 'claude') {
    const command = (event: HookEvent['event']) =>
      describeCommand(hookEventArgv(stateDir, task, candidate.n, event));
    const commands = {
      waiting: command('waiting'),
      done: command('done'),
      working: command('working'),
      failed: command('failed'),
    };
    const bypass = candidate.command.includes('--dangerously-skip-permissions');
    const file = '.claude/settings.local.json';
    await mergeIntoFile(candidate.worktree, file, (existing) =>
      withClaudeHooks(existing, commands, { acceptBypassMode: bypass }),
    );
    return { files: [file], args: [] };
  }
  if (kind === 'codex') {
    return { files: [], args: codexNotifyArgs(hookEventArgv(stateDir, task, candidate.n, 'done')) };
  }
  if (kind === 'gemini') {
    const command = (event: HookEvent['event']) =>
      describeCommand(hookEventArgv(stateDir, task, candidate.n, event));
    const commands = { waiting: command('waiting'), done: command('done'), working: command('working') };
    const file = '.gemini/settings.json';
    await mergeIntoFile(candidate.worktree, file, (existing) => withGeminiHooks(existing, commands));
    return { files: [file], args: [] };
  }
  if (kind === 'opencode' || kind === 'copilot') {
    const argv = (event: HookEvent['event']) => hookEventArgv(stateDir, task, candidate.n, event);
    const events = {
      waiting: argv('waiting'),
      done: argv('done'),
      working: argv('working'),
      failed: argv('failed'),
    };
    const file =
      kind === 'opencode'
        ? '.opencode/plugins/git-parallel-status.js'
        : '.github/hooks/git-parallel-status.json';
    const text =
      kind === 'opencode'
        ? opencodePlugin(events)
        : copilotHooks({
            waiting: describeCommand(events.waiting),
            done: describeCommand(events.done),
            working: describeCommand(events.working),
            failed: describeCommand(events.failed),
          });
    await mergeIntoFile(candidate.worktree, file, () => text);
    return { files: [file], args: [] };
  }
  return { files: [], args: [] };
}

async function mergeIntoFile(
  worktree: string,
  file: string,
  merge: (existing: string | null) => string | NotMergeable,
): Promise<void> {
  const absolute = path.join(worktree, file);
  const existing = await readIfExists(absolute);
  const merged = merge(existing);
  // The agent's own file, not a record of ours: it is left exactly as it is, never replaced by our
  // hooks alone; launch shows this line in the pane and starts the agent without them.
  if (typeof merged !== 'string')
    throw new UsageError(
      `${absolute} ${merged.problem}; it is left as it is, so this agent's status comes from its screen only (fix the file to get its hooks)`,
    );
  const tracked = await isTracked(worktree, file);
  if (merged !== existing) {
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, merged);
  }
  await hideFromGit(worktree, file, tracked);
}

async function hideFromGit(worktree: string, file: string, tracked: boolean): Promise<void> {
  if (tracked) {
    await runGit(worktree, ['update-index', '--skip-worktree', '--', file]);
    return;
  }
  if ((await runGit(worktree, ['check-ignore', '-q', '--', file], { check: false })).exitCode === 0) return;
  const gitignore = path.join(path.dirname(file), '.gitignore');
  const absolute = path.join(worktree, gitignore);
  const current = (await readIfExists(absolute)) ?? '';
  const gitignoreTracked = await isTracked(worktree, gitignore);
  const wanted = gitignoreTracked ? [`/${path.basename(file)}`] : [`/${path.basename(file)}`, '/.gitignore'];
  const present = new Set(current.split('\n').map((line) => line.trim()));
  const missing = wanted.filter((line) => !present.has(line));
  if (missing.length === 0) return;
  const header =
    current === '' ? '# Written by git-parallel: agent status hooks for this worktree only.\n' : '';
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await writeFile(absolute, `${current}${separator}${header}${missing.join('\n')}\n`);
  if (gitignoreTracked) await runGit(worktree, ['update-index', '--skip-worktree', '--', gitignore]);
}

/**
 * What the agent last reported, or null. Every hook that fires rewrites the record whole, so a damaged
 * one (a write cut short) reads as none: status falls back to the agent's screen until the next hook
 * replaces it. Stopping instead would stop that hook too, and leave the damage for good.
 */
export async function readHookEvent(stateDir: string, n: number): Promise<HookEvent | null> {
  const read = await inspectRecord<{ event: HookEvent['event']; at: string; message?: string }>(
    hookEventPath(stateDir, n),
    hookEventProblem,
  );
  if (read?.value == null) return null;
  const { event, at, message } = read.value;
  return { event, at: new Date(at), ...(message ? { message } : {}) };
}

function hookEventProblem(value: unknown): string | null {
  const wrong = wrongField(value, { event: 'string', at: 'string' });
  if (wrong !== null) return wrong;
  const record = value as { event: string; at: string; message?: unknown };
  if (!(HOOK_EVENTS as readonly string[]).includes(record.event))
    return `has an unknown event ${record.event}`;
  if (Number.isNaN(Date.parse(record.at))) return `has a time that is not one (${record.at})`;
  if (record.message !== undefined && typeof record.message !== 'string')
    return 'has a message that is not text';
  return null;
}

/**
 * Records what an agent reported. Written only while the run exists: a hook firing after the run was
 * removed must not recreate a state folder (it would look like a damaged run).
 */
export async function writeHookEvent(stateDir: string, n: number, event: HookEvent): Promise<boolean> {
  if (!(await pathExists(manifestPath(stateDir)))) return false;
  const record = {
    event: event.event,
    at: event.at.toISOString(),
    ...(event.message ? { message: event.message } : {}),
  };
  await writeFileAtomic(hookEventPath(stateDir, n), `${JSON.stringify(record)}\n`);
  return true;
}
