import path from 'node:path';

/**
 * Issue 16: what a candidate cost, from the agent's own records. Pure parsing of the files the agents
 * write; finding and reading them is io/agent-usage.ts.
 *
 * One meaning for every agent: `input` is the prompt tokens that were not read from a cache (Claude's
 * cache writes count here), `cached` the prompt tokens read from a cache, `output` the tokens generated
 * (reasoning included). Agents report them differently, and each parser below converts.
 */
export interface TokenUsage {
  input: number;
  output: number;
  cached: number;
}

/** What one candidate cost: its tokens where its agent records them, and its agent's wall time. */
export interface CandidateCost {
  /** Null: unknown (the agent keeps no usage files, or has written none yet). */
  tokens: TokenUsage | null;
  /** The agent whose files were read; null when the agent keeps none that git-parallel can read. */
  source: UsageSource | null;
  /** Seconds from the agent's start to its exit (or to now while it runs); null when it never started. */
  wallSeconds: number | null;
}

/** Which agents keep usage in files, and where (for the "unknown" explanation and the README). */
export type UsageSource = 'claude' | 'codex' | 'gemini' | 'copilot' | 'opencode';

/** The agent kind of a candidate, from its executable's name (a config-defined agent that wraps `claude` is claude). */
export function usageSourceOf(executable: string): UsageSource | null {
  const name = path.basename(executable);
  return name === 'claude' ||
    name === 'codex' ||
    name === 'gemini' ||
    name === 'copilot' ||
    name === 'opencode'
    ? name
    : null;
}

export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (a === null) return b;
  if (b === null) return a;
  return { input: a.input + b.input, output: a.output + b.output, cached: a.cached + b.cached };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function jsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line);
      if (typeof value === 'object' && value !== null) lines.push(value as Record<string, unknown>);
    } catch {
      // A line being written as we read (the agent is running) is not usage yet.
    }
  }
  return lines;
}

/**
 * Claude Code's folder for a working directory under `~/.claude/projects/`: the path with every character
 * that is not a letter or digit replaced by `-` (`/w/app-worktrees/t-1` → `-w-app-worktrees-t-1`).
 */
export function claudeProjectFolder(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * A Claude Code transcript (`<session>.jsonl`): assistant lines carry `message.usage`. A streamed reply
 * is written as one line per content block, each with the same message id and usage, so each message
 * counts once (its last line wins).
 */
export function parseClaudeTranscript(text: string): TokenUsage | null {
  const byMessage = new Map<string, TokenUsage>();
  let anonymous = 0;
  for (const line of jsonLines(text)) {
    const message = line.message as { id?: unknown; usage?: Record<string, unknown> } | undefined;
    if (line.type !== 'assistant' || !message?.usage) continue;
    const u = message.usage;
    const usage = {
      input: count(u.input_tokens) + count(u.cache_creation_input_tokens),
      output: count(u.output_tokens),
      cached: count(u.cache_read_input_tokens),
    };
    byMessage.set(typeof message.id === 'string' ? message.id : `#${anonymous++}`, usage);
  }
  let total: TokenUsage | null = null;
  for (const usage of byMessage.values()) total = addUsage(total, usage);
  return total;
}

/**
 * A Codex session file (`sessions/YYYY/MM/DD/rollout-….jsonl`): a `session_meta` line names its working
 * directory, and `token_count` events carry the session's running total (`info.total_token_usage`), so
 * the last one is the session's usage. Codex's `input_tokens` include the cached ones.
 */
export function parseCodexRollout(text: string): { cwd: string | null; usage: TokenUsage | null } {
  let cwd: string | null = null;
  let usage: TokenUsage | null = null;
  for (const line of jsonLines(text)) {
    const payload = line.payload as Record<string, unknown> | undefined;
    if (!payload) continue;
    if (line.type === 'session_meta' && typeof payload.cwd === 'string') cwd ??= payload.cwd;
    if (line.type !== 'event_msg' || payload.type !== 'token_count') continue;
    const total = (payload.info as { total_token_usage?: Record<string, unknown> } | null)?.total_token_usage;
    if (!total) continue;
    const cached = count(total.cached_input_tokens);
    usage = {
      input: Math.max(0, count(total.input_tokens) - cached),
      output: count(total.output_tokens),
      cached,
    };
  }
  return { cwd, usage };
}

/**
 * A Gemini CLI chat recording (`~/.gemini/tmp/<project>/chats/session-….jsonl`, gemini-cli 0.61): the
 * first line is the session's metadata (`projectHash`, the SHA-256 of the project folder), then one line
 * per message, written again when it changes; a model message (`type: "gemini"`) carries `tokens`
 * (`input` is the whole prompt, `cached` the part of it from the cache, `thoughts` are generated too).
 */
export function parseGeminiSession(text: string): { projectHash: string | null; usage: TokenUsage | null } {
  const lines = jsonLines(text);
  const projectHash = typeof lines[0]?.projectHash === 'string' ? lines[0].projectHash : null;
  const byMessage = new Map<string, TokenUsage>();
  let anonymous = 0;
  // A `$set` line rewrites fields of the session; its `messages` are messages like the others.
  const messages = lines.flatMap((line) => {
    const set = line.$set as { messages?: unknown } | undefined;
    return Array.isArray(set?.messages) ? (set.messages as Record<string, unknown>[]) : [line];
  });
  for (const line of messages) {
    const tokens = line?.tokens as Record<string, unknown> | undefined;
    if (line?.type !== 'gemini' || !tokens) continue;
    const cached = count(tokens.cached);
    byMessage.set(typeof line.id === 'string' ? line.id : `#${anonymous++}`, {
      input: Math.max(0, count(tokens.input) - cached),
      output: count(tokens.output) + count(tokens.thoughts),
      cached,
    });
  }
  let total: TokenUsage | null = null;
  for (const usage of byMessage.values()) total = addUsage(total, usage);
  return { projectHash, usage: total };
}

/**
 * A Copilot CLI session log (`~/.copilot/session-state/<id>/events.jsonl`, copilot 1.0.102):
 * `session.start` names the working directory (`data.context.cwd`); each model call leaves a
 * `session.usage_record` (`data.usage`), and `session.shutdown` the session's totals
 * (`data.modelMetrics.<model>.usage`), read only when a log has no usage records. Copilot's
 * `inputTokens` include the cache reads and writes.
 */
export function parseCopilotEvents(text: string): { cwd: string | null; usage: TokenUsage | null } {
  let cwd: string | null = null;
  let records: TokenUsage | null = null;
  let shutdown: TokenUsage | null = null;
  const convert = (u: Record<string, unknown>): TokenUsage => ({
    input: Math.max(0, count(u.inputTokens) - count(u.cacheReadTokens)),
    output: count(u.outputTokens),
    cached: count(u.cacheReadTokens),
  });
  for (const line of jsonLines(text)) {
    const data = line.data as Record<string, unknown> | undefined;
    if (!data) continue;
    if (line.type === 'session.start') {
      const context = data.context as { cwd?: unknown } | undefined;
      if (typeof context?.cwd === 'string') cwd ??= context.cwd;
    } else if (line.type === 'session.usage_record') {
      const usage = data.usage as Record<string, unknown> | undefined;
      if (usage) records = addUsage(records, convert(usage));
    } else if (line.type === 'session.shutdown') {
      const metrics = (data.modelMetrics ?? {}) as Record<
        string,
        { usage?: Record<string, unknown> } | undefined
      >;
      for (const metric of Object.values(metrics)) {
        if (metric?.usage) shutdown = addUsage(shutdown, convert(metric.usage));
      }
    }
  }
  return { cwd, usage: records ?? shutdown };
}

/**
 * opencode 1.x keeps its sessions in SQLite (`$XDG_DATA_HOME/opencode/opencode.db`), each `session` row
 * with its totals (`tokens_input` without the cache, `tokens_output`, `tokens_reasoning`,
 * `tokens_cache_read`, `tokens_cache_write`). The query that reads them for one folder since a time;
 * `opencode db QUERY --format json` runs it (opencode's own SQLite: this Node has none). The folder is
 * quoted as SQL quotes strings (a `'` doubled), so no path can end the string.
 */
export function opencodeUsageQuery(directory: string, sinceMs: number): string {
  const quoted = `'${directory.replaceAll("'", "''")}'`;
  return `select tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write from session where directory = ${quoted} and time_updated >= ${Math.floor(sinceMs)}`;
}

/**
 * The rows of opencodeUsageQuery as one usage: a cache write is input (as Claude's is), reasoning is
 * output (as Gemini's thoughts are). Null when there is no row.
 */
export function parseOpencodeSessions(json: string): TokenUsage | null {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) return null;
  let total: TokenUsage | null = null;
  for (const row of rows as Record<string, unknown>[]) {
    total = addUsage(total, {
      input: count(row.tokens_input) + count(row.tokens_cache_write),
      output: count(row.tokens_output) + count(row.tokens_reasoning),
      cached: count(row.tokens_cache_read),
    });
  }
  return total;
}

/** `12`, `8.4k`, `1.2M`: token counts as a column shows them. */
export function formatTokens(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** The TOKENS cell: `in 8.4k · out 1.2k · cached 40k`, or `unknown`. */
export function describeUsage(usage: TokenUsage | null): string {
  if (usage === null) return 'unknown';
  return `in ${formatTokens(usage.input)} · out ${formatTokens(usage.output)} · cached ${formatTokens(usage.cached)}`;
}
