import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  addUsage,
  type CandidateCost,
  claudeProjectFolder,
  opencodeUsageQuery,
  parseClaudeTranscript,
  parseCodexRollout,
  parseCopilotEvents,
  parseGeminiSession,
  parseOpencodeSessions,
  type TokenUsage,
  type UsageSource,
  usageSourceOf,
} from '../core/agent-usage.js';
import type { Candidate, RunManifest } from '../core/types.js';
import { run } from './exec.js';
import { readAgentRecord } from './state.js';

export type { CandidateCost };

/**
 * Reads a candidate's cost from its agent's own files, in the agent's home as the pane saw it (the
 * caller's environment with the agent's own variables over it: CLAUDE_CONFIG_DIR, CODEX_HOME…). Only
 * files written since the run started are read, so a user's long history costs little. opencode 1.x
 * keeps its sessions in SQLite (opencode.db), read through `opencode db` (this Node has no SQLite);
 * agents that keep no usage at all are unknown.
 */
export async function readCandidateCost(
  manifest: RunManifest,
  candidate: Candidate,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  now: Date = new Date(),
): Promise<CandidateCost> {
  const record = await readAgentRecord(stateDir, candidate.n);
  const end = record?.exit ? new Date(record.exit.at) : now;
  const wallSeconds = record
    ? Math.max(0, Math.round((end.getTime() - Date.parse(record.startedAt)) / 1000))
    : null;
  const source = usageSourceOf(candidate.command[0] ?? '');
  const since = Date.parse(manifest.createdAt) - 60_000;
  const agentEnv = { ...env, ...candidate.agentEnv };
  const tokens = source
    ? await readUsage(
        source,
        candidate.command[0]!,
        candidate.worktree,
        agentEnv,
        Number.isNaN(since) ? 0 : since,
      ).catch(() => null)
    : null;
  return { tokens, source, wallSeconds };
}

/**
 * What an agent run in `cwd` since `since` (ms) used, from its own files: a reviewer's one-shot turns, say.
 * Null when the agent keeps no usage, or none was found.
 */
export async function readUsageIn(
  executable: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  since: number,
): Promise<TokenUsage | null> {
  const source = usageSourceOf(executable);
  return source ? readUsage(source, executable, cwd, env, since).catch(() => null) : null;
}

async function readUsage(
  source: UsageSource,
  executable: string,
  worktree: string,
  env: NodeJS.ProcessEnv,
  since: number,
): Promise<TokenUsage | null> {
  const home = env.HOME || homedir();
  switch (source) {
    case 'claude': {
      const root = env.CLAUDE_CONFIG_DIR || path.join(home, '.claude');
      return sumFiles(path.join(root, 'projects', claudeProjectFolder(worktree)), since, (file, text) =>
        file.endsWith('.jsonl') ? parseClaudeTranscript(text) : null,
      );
    }
    case 'codex': {
      const root = env.CODEX_HOME || path.join(home, '.codex');
      const sessions = path.join(root, 'sessions');
      // Codex files its sessions by day (sessions/YYYY/MM/DD, local time): only the days since the run
      // started (one day earlier, for time zones) are listed, so a long history is not walked at all.
      const days = (await datedFolders(sessions)).filter((day) => day.date >= dayBefore(since));
      let total: TokenUsage | null = null;
      for (const day of days) {
        total = addUsage(
          total,
          await sumFiles(day.dir, since, (file, text) => {
            if (!path.basename(file).startsWith('rollout-') || !file.endsWith('.jsonl')) return null;
            const session = parseCodexRollout(text);
            return session.cwd === worktree ? session.usage : null;
          }),
        );
      }
      return total;
    }
    case 'gemini': {
      const root = path.join(env.GEMINI_CLI_HOME || home, '.gemini', 'tmp');
      const hash = createHash('sha256').update(worktree).digest('hex');
      return sumFiles(root, since, (file, text) => {
        if (path.basename(path.dirname(file)) !== 'chats' || !path.basename(file).startsWith('session-'))
          return null;
        const session = parseGeminiSession(text);
        return session.projectHash === hash ? session.usage : null;
      });
    }
    case 'copilot': {
      const root = path.join(env.COPILOT_HOME || path.join(home, '.copilot'), 'session-state');
      return sumFiles(root, since, (file, text) => {
        if (path.basename(file) !== 'events.jsonl') return null;
        const session = parseCopilotEvents(text);
        return session.cwd === worktree ? session.usage : null;
      });
    }
    case 'opencode': {
      // opencode's own SQLite, in the agent's environment (its XDG_DATA_HOME or HOME): one short query.
      const result = await run(executable, ['db', opencodeUsageQuery(worktree, since), '--format', 'json'], {
        cwd: worktree,
        env,
        timeout: OPENCODE_DB_TIMEOUT_MS,
        ownGroup: true,
      });
      return parseOpencodeSessions(result.stdout);
    }
  }
}

/** `opencode db` starts in under a second; a hung one must not hold compare up. */
const OPENCODE_DB_TIMEOUT_MS = 15_000;

/** `sessions/2026/12/03` folders as `{ date: '2026-12-03', dir }`. */
async function datedFolders(root: string): Promise<{ date: string; dir: string }[]> {
  const list = async (dir: string) =>
    (await readdir(dir).catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  const folders: { date: string; dir: string }[] = [];
  for (const year of await list(root)) {
    for (const month of await list(path.join(root, year))) {
      for (const day of await list(path.join(root, year, month))) {
        folders.push({ date: `${year}-${month}-${day}`, dir: path.join(root, year, month, day) });
      }
    }
  }
  return folders;
}

function dayBefore(ms: number): string {
  return new Date(ms - 86_400_000).toISOString().slice(0, 10);
}

/** The usage of every file under `dir` changed since `since` (ms), as `parse` reads it; null when none had any. */
async function sumFiles(
  dir: string,
  since: number,
  parse: (file: string, text: string) => TokenUsage | null,
): Promise<TokenUsage | null> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  let total: TokenUsage | null = null;
  for (const entry of entries) {
    const file = path.join(dir, entry);
    if (!file.endsWith('.jsonl') && !file.endsWith('.json')) continue;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || info.mtimeMs < since) continue;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text !== null) total = addUsage(total, parse(file, text));
  }
  return total;
}
