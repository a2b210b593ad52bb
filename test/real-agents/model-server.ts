import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REVIEW_MARKER } from '../../src/core/review-prompt.js';

/**
 * A stand-in for the model APIs the real agent CLIs talk to, on 127.0.0.1, owned by the test suite.
 * It speaks the Anthropic Messages API (Claude Code, opencode), the OpenAI Responses API (Codex) and
 * Chat Completions (Copilot's OpenAI provider), and Gemini's generateContent (Gemini CLI), streaming
 * or not, as each client asks.
 *
 * A conversation with the agent's main loop (a request that offers a shell tool) goes:
 *   1. the first reply is a call of the agent's shell tool that records the candidate's PORT,
 *      GIT_PARALLEL_WORKTREE and working folder into `gp-probe.txt` in the folder it runs in;
 *   2. once the request carries that tool's result, the reply is text and the turn ends.
 * Side requests (titles, summaries, quota checks: no tools offered) get a short text.
 * `failNext` makes the next main-loop request fail with a 400 invalid_request_error, which agents do
 * not retry: the turn ends in an API error.
 *
 * A review (`git parallel review`: a prompt that carries REVIEW_MARKER) is answered at once with a
 * verdict in the schema the prompt hands over, for the letters the prompt shows (`## Candidate X`):
 * the candidate whose section holds the text set by `preferInReview` first, the rest in letter order.
 * `malformNextReviews` makes the next reviews' answers malformed (a ranking that is not a list).
 */
export interface ModelServer {
  url: string;
  port: number;
  /** The user prompts of main-loop requests that started a turn (no tool result yet), in order. */
  prompts: string[];
  /** Every request path seen, for diagnostics. */
  requests: string[];
  failNext(count?: number): void;
  /** How long the first reply of a turn (the tool call) takes, so `status` can see the agent at work. */
  setToolCallDelay(ms: number): void;
  /** The shell command the first reply of a turn asks for, instead of PROBE_COMMAND (null: back to it). */
  setShellCommand(command: string | null): void;
  /** Every review prompt received, with the API dialect it came in (anthropic: Claude, responses: Codex…). */
  reviewPrompts: { dialect: string; prompt: string }[];
  /** The candidate whose section holds `text` is ranked first, by reviewers of this dialect (or any). */
  preferInReview(text: string, dialect?: string): void;
  malformNextReviews(count?: number): void;
  /** How long a review's answer takes, so `status` can see the review running. */
  setReviewDelay(ms: number): void;
  close(): Promise<void>;
}

export const PROBE_FILE = 'gp-probe.txt';
export const PROBE_COMMAND = `printf 'PORT=%s\\nWORKTREE=%s\\nPWD=%s\\nPROBE=%s\\n' "$PORT" "$GIT_PARALLEL_WORKTREE" "$PWD" "$GP_PROBE" > ${PROBE_FILE}`;
export const FINAL_TEXT = 'Recorded the environment. Done.';

/**
 * The usage every reply reports, in each API's own shape (issue 16: the agents' token counts are read from
 * their files and checked against these). Replies of the main turn and side requests (titles, summaries)
 * report different numbers, so a count that mixed them up would show.
 */
export const MAIN_USAGE = {
  anthropic: {
    input_tokens: 1200,
    output_tokens: 34,
    cache_creation_input_tokens: 56,
    cache_read_input_tokens: 7800,
  },
  responses: {
    input_tokens: 2300,
    input_tokens_details: { cached_tokens: 1100 },
    output_tokens: 45,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 2345,
  },
  gemini: {
    promptTokenCount: 900,
    cachedContentTokenCount: 300,
    candidatesTokenCount: 21,
    thoughtsTokenCount: 4,
    totalTokenCount: 925,
  },
};
const SIDE_USAGE: typeof MAIN_USAGE = {
  anthropic: {
    input_tokens: 3,
    output_tokens: 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  },
  responses: {
    input_tokens: 3,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 1,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 4,
  },
  gemini: {
    promptTokenCount: 3,
    cachedContentTokenCount: 0,
    candidatesTokenCount: 1,
    thoughtsTokenCount: 0,
    totalTokenCount: 4,
  },
};

const SHELL_TOOLS = ['Bash', 'bash', 'shell', 'shell_command', 'exec_command', 'run_shell_command'];

interface Tool {
  name: string;
  schema: JsonSchema;
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

type Dialect = 'anthropic' | 'responses' | 'chat' | 'gemini';

/** What the conversation so far asks for. */
interface Turn {
  tools: Tool[];
  /** A tool result is present after the last user text: the tool ran. */
  toolDone: boolean;
  prompt: string | null;
}

export async function startModelServer(): Promise<ModelServer> {
  const prompts: string[] = [];
  const requests: string[] = [];
  let failures = 0;
  let toolCallDelay = 0;
  let shellCommand = PROBE_COMMAND;
  const reviewPrompts: { dialect: string; prompt: string }[] = [];
  const preferred = new Map<string, string>();
  let malformed = 0;
  let reviewDelay = 0;
  let ids = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const body = parseJson(Buffer.concat(chunks).toString('utf8'));
      if (process.env.GP_MODEL_DUMP)
        appendFileSync(
          process.env.GP_MODEL_DUMP,
          `${JSON.stringify({ url: req.url, headers: req.headers, body })}\n`,
        );
      try {
        const reply = () => handle(req, res, body);
        const delay = toolCallDelay > 0 && isTurnStart(req.url ?? '', body) ? toolCallDelay : 0;
        if (delay > 0) setTimeout(reply, delay);
        else reply();
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (p.endsWith('/models'))
        return json(res, { object: 'list', data: [{ id: 'stand-in', object: 'model' }] });
      return json(res, {});
    }
    if (p.endsWith('/count_tokens')) return json(res, { input_tokens: 10 });
    if (p.includes(':countTokens')) return json(res, { totalTokens: 10 });
    const dialect: Dialect | null = p.endsWith('/messages')
      ? 'anthropic'
      : p.endsWith('/responses')
        ? 'responses'
        : p.endsWith('/chat/completions')
          ? 'chat'
          : p.includes(':generateContent') || p.includes(':streamGenerateContent')
            ? 'gemini'
            : null;
    if (dialect === null) return json(res, {});
    const turn = readTurn(dialect, body);
    requests.push(`  tools: ${turn.tools.map((t) => t.name).join(',')} toolDone=${turn.toolDone}`);
    // Only a prompt that starts with the marker: Claude Code also sends the prompt inside `<session>` in a side request.
    if (turn.prompt?.trimStart().startsWith(REVIEW_MARKER)) {
      reviewPrompts.push({ dialect, prompt: turn.prompt });
      const bad = malformed > 0;
      if (bad) malformed--;
      const prefer = preferred.get(dialect) ?? preferred.get('any') ?? null;
      const text = bad ? 'Candidate A is best. {"ranking": "A"}' : reviewVerdict(turn.prompt, prefer);
      const id = `gp${++ids}`;
      // A review is a whole turn of its own: it reports the main loop's usage.
      const send = () => sendReply(res, dialect, { kind: 'text', text }, id, p, body, MAIN_USAGE);
      if (reviewDelay > 0) setTimeout(send, reviewDelay);
      else send();
      return;
    }
    const format = ((body.text ?? {}) as Record<string, unknown>).format as
      | Record<string, unknown>
      | undefined;
    // Codex's title request offers its tools too, but asks for a JSON answer.
    const shell =
      format?.type === 'json_schema' ? undefined : turn.tools.find((t) => SHELL_TOOLS.includes(t.name));
    const main = shell !== undefined;
    if (main && failures > 0) {
      failures--;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: 'stand-in: this request is refused', code: 400 },
        }),
      );
      return;
    }
    if (main && !turn.toolDone && turn.prompt !== null) prompts.push(turn.prompt);
    const reply: Reply =
      main && !turn.toolDone
        ? { kind: 'tool', name: shell.name, input: shellInput(shell.schema, shellCommand) }
        : { kind: 'text', text: main ? FINAL_TEXT : sideText(body) };
    return sendReply(res, dialect, reply, `gp${++ids}`, p, body, main ? MAIN_USAGE : SIDE_USAGE);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    prompts,
    requests,
    failNext: (count = 1) => {
      failures += count;
    },
    reviewPrompts,
    preferInReview: (text, dialect = 'any') => {
      preferred.set(dialect, text);
    },
    malformNextReviews: (count = 1) => {
      malformed += count;
    },
    setReviewDelay: (ms) => {
      reviewDelay = ms;
    },
    setToolCallDelay: (ms) => {
      toolCallDelay = ms;
    },
    setShellCommand: (command) => {
      shellCommand = command ?? PROBE_COMMAND;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendReply(
  res: ServerResponse,
  dialect: Dialect,
  reply: Reply,
  id: string,
  pathname: string,
  body: Record<string, unknown>,
  usage: typeof MAIN_USAGE,
) {
  const stream =
    dialect === 'gemini'
      ? pathname.includes(':streamGenerateContent')
      : body.stream === true || dialect === 'responses';
  if (dialect === 'anthropic')
    return anthropic(res, reply, id, stream, String(body.model ?? 'stand-in'), usage.anthropic);
  if (dialect === 'responses') return responses(res, reply, id, stream, usage.responses);
  if (dialect === 'chat') return chat(res, reply, id, stream);
  return gemini(res, reply, stream, usage.gemini);
}

/**
 * A verdict for the letters of a review prompt, as a reviewer that follows the schema writes it: the
 * preferred candidate first with 8 points, the others after it in letter order with 5 and 3.
 */
function reviewVerdict(prompt: string, prefer: string | null): string {
  const sections = prompt.split(/^## Candidate /m).slice(1);
  const letters = sections.map((s) => s.slice(0, s.indexOf('\n')).trim());
  const first = prefer === null ? -1 : sections.findIndex((s) => s.includes(prefer));
  const ranking = first === -1 ? [...letters] : [letters[first]!, ...letters.filter((_, i) => i !== first)];
  const answer = {
    candidates: letters.map((letter) => ({
      letter,
      score: ranking[0] === letter ? 8 : ranking.indexOf(letter) === 1 ? 5 : 3,
      strengths: [`candidate ${letter} is readable`],
      defects: ranking[0] === letter ? [] : [`candidate ${letter} misses part of the task`],
      risks: [],
    })),
    ranking,
    reasons: `candidate ${ranking[0]} does the whole task.`,
    synthesis: { wouldBeatBest: false, reason: `candidate ${ranking[0]} needs nothing from the others` },
  };
  return `\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\``;
}

/** A main-loop request whose reply will be the tool call. */
function isTurnStart(url: string, body: Record<string, unknown>): boolean {
  const p = new URL(url, 'http://x').pathname;
  const dialect = p.endsWith('/messages')
    ? 'anthropic'
    : p.endsWith('/responses')
      ? 'responses'
      : p.endsWith('/chat/completions')
        ? 'chat'
        : p.includes('generateContent')
          ? 'gemini'
          : null;
  if (dialect === null) return false;
  const turn = readTurn(dialect, body);
  return !turn.toolDone && turn.tools.some((t) => SHELL_TOOLS.includes(t.name));
}

type Reply = { kind: 'tool'; name: string; input: Record<string, unknown> } | { kind: 'text'; text: string };

/** Arguments for the shell tool, from its own schema: the command where it wants one, as string or argv. */
function shellInput(schema: JsonSchema, command: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const props = schema.properties ?? {};
  for (const [name, prop] of Object.entries(props)) {
    const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
    if (name === 'command' || name === 'cmd') {
      input[name] = type === 'array' ? ['bash', '-lc', command] : command;
    } else if (name === 'description') {
      input[name] = 'Record the environment';
    } else if (name === 'sandbox_permissions') {
      // Codex runs commands in its sandbox without asking; an escalated command needs the user's yes.
      input[name] = 'require_escalated';
      input.justification = 'May I record the environment?';
    } else if ((schema.required ?? []).includes(name)) {
      input[name] = type === 'number' || type === 'integer' ? 10000 : type === 'boolean' ? false : '';
    }
  }
  return input;
}

/** Side requests: Gemini's JSON-mode checks want JSON; anything else gets a short title-like text. */
function sideText(body: Record<string, unknown>): string {
  const format = ((body.text ?? {}) as Record<string, unknown>).format as Record<string, unknown> | undefined;
  if (format?.type === 'json_schema') return JSON.stringify({ title: 'Stand-in' });
  const config = (body.generationConfig ?? {}) as Record<string, unknown>;
  if (config.responseMimeType === 'application/json' || config.responseJsonSchema || config.responseSchema) {
    return JSON.stringify({ next_speaker: 'user', reasoning: 'stand-in', complexity_reasoning: 'simple' });
  }
  return 'Stand-in reply';
}

function readTurn(dialect: Dialect, body: Record<string, unknown>): Turn {
  const tools: Tool[] = [];
  const rawTools = Array.isArray(body.tools) ? (body.tools as Record<string, unknown>[]) : [];
  for (const tool of rawTools) {
    if (dialect === 'gemini') {
      for (const fn of (tool.functionDeclarations ?? []) as Record<string, unknown>[]) {
        tools.push({
          name: String(fn.name),
          schema: (fn.parametersJsonSchema ?? fn.parameters ?? {}) as JsonSchema,
        });
      }
    } else if (dialect === 'chat') {
      const fn = (tool.function ?? {}) as Record<string, unknown>;
      tools.push({ name: String(fn.name), schema: (fn.parameters ?? {}) as JsonSchema });
    } else if (dialect === 'responses') {
      tools.push({ name: String(tool.name), schema: (tool.parameters ?? {}) as JsonSchema });
    } else {
      tools.push({ name: String(tool.name), schema: (tool.input_schema ?? {}) as JsonSchema });
    }
  }
  // Walk the conversation: the last user text starts a turn; a tool result after it ends it.
  let prompt: string | null = null;
  let toolDone = false;
  const visit = (text: string | null, result: boolean) => {
    if (result) toolDone = true;
    else if (text !== null) {
      // Copilot puts `<current_datetime>…</current_datetime>` and a blank line before the user's words.
      prompt = text.replace(/^(<([a-z_]+)>[^<]*<\/\2>\n\n)+/, '');
      toolDone = false;
    }
  };
  if (dialect === 'anthropic' || dialect === 'chat') {
    for (const message of (body.messages ?? []) as Record<string, unknown>[]) {
      if (message.role === 'tool') visit(null, true);
      if (message.role !== 'user') continue;
      const content = message.content;
      if (typeof content === 'string') visit(content, false);
      else if (Array.isArray(content)) {
        const blocks = content as Record<string, unknown>[];
        if (blocks.some((b) => b.type === 'tool_result')) visit(null, true);
        else {
          const texts = blocks.filter((b) => b.type === 'text').map((b) => String(b.text));
          // Claude Code puts <system-reminder> blocks before the user's words.
          const own = texts.filter((t) => !t.startsWith('<system-reminder>'));
          const last = own[own.length - 1] ?? texts[texts.length - 1];
          if (last !== undefined) visit(last, false);
        }
      }
    }
  } else if (dialect === 'responses') {
    const input = Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [];
    for (const item of input) {
      if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') visit(null, true);
      else if (item.role === 'user') {
        const parts = Array.isArray(item.content) ? (item.content as Record<string, unknown>[]) : [];
        const texts = parts.filter((c) => c.type === 'input_text').map((c) => String(c.text));
        // Codex sends its environment context and instructions as user messages in tags.
        const own = texts.filter((t) => !/^<[a-z_]+>/.test(t.trimStart()) && !t.startsWith('# AGENTS.md'));
        const last = own[own.length - 1];
        if (last !== undefined) visit(last, false);
      }
    }
  } else {
    for (const content of (body.contents ?? []) as Record<string, unknown>[]) {
      if (content.role !== 'user') continue;
      const parts = (content.parts ?? []) as Record<string, unknown>[];
      if (parts.some((part) => part.functionResponse)) visit(null, true);
      else {
        const texts = parts.filter((part) => typeof part.text === 'string').map((part) => String(part.text));
        const own = texts.filter((t) => !/^<[a-z_-]+>/.test(t.trimStart()));
        const last = own[own.length - 1];
        if (last !== undefined) visit(last, false);
      }
    }
  }
  return { tools, toolDone, prompt };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function json(res: ServerResponse, value: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sse(res: ServerResponse, events: [string | null, unknown][], tail = '') {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) {
    res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }
  res.end(tail);
}

function anthropic(
  res: ServerResponse,
  reply: Reply,
  id: string,
  stream: boolean,
  model: string,
  usage: (typeof MAIN_USAGE)['anthropic'],
) {
  const block =
    reply.kind === 'tool'
      ? { type: 'tool_use', id: `toolu_${id}`, name: reply.name, input: reply.input }
      : { type: 'text', text: reply.text };
  const stopReason = reply.kind === 'tool' ? 'tool_use' : 'end_turn';
  const message = { id: `msg_${id}`, type: 'message', role: 'assistant', model, stop_sequence: null, usage };
  if (!stream) return json(res, { ...message, content: [block], stop_reason: stopReason });
  const start = reply.kind === 'tool' ? { ...block, input: {} } : { type: 'text', text: '' };
  const delta =
    reply.kind === 'tool'
      ? { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) }
      : { type: 'text_delta', text: reply.text };
  sse(res, [
    ['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: start }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ]);
}

function responses(
  res: ServerResponse,
  reply: Reply,
  id: string,
  stream: boolean,
  usage: (typeof MAIN_USAGE)['responses'],
) {
  const item =
    reply.kind === 'tool'
      ? {
          type: 'function_call',
          id: `fc_${id}`,
          call_id: `call_${id}`,
          name: reply.name,
          arguments: JSON.stringify(reply.input),
          status: 'completed',
        }
      : {
          type: 'message',
          id: `msg_${id}`,
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: reply.text, annotations: [] }],
        };
  const response = { id: `resp_${id}`, object: 'response', model: 'stand-in', output: [item], usage };
  if (!stream) return json(res, { ...response, status: 'completed' });
  sse(res, [
    [
      'response.created',
      { type: 'response.created', response: { ...response, output: [], status: 'in_progress' } },
    ],
    ['response.output_item.added', { type: 'response.output_item.added', output_index: 0, item }],
    ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
    ['response.completed', { type: 'response.completed', response: { ...response, status: 'completed' } }],
  ]);
}

function chat(res: ServerResponse, reply: Reply, id: string, stream: boolean) {
  const message =
    reply.kind === 'tool'
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: `call_${id}`,
              type: 'function',
              function: { name: reply.name, arguments: JSON.stringify(reply.input) },
            },
          ],
        }
      : { role: 'assistant', content: reply.text };
  const finish = reply.kind === 'tool' ? 'tool_calls' : 'stop';
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const base = { id: `chatcmpl_${id}`, model: 'stand-in', created: Math.floor(Date.now() / 1000) };
  if (!stream) {
    return json(res, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, finish_reason: finish }],
      usage,
    });
  }
  sse(
    res,
    [
      [
        null,
        {
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: message, finish_reason: null }],
        },
      ],
      [
        null,
        {
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: {}, finish_reason: finish }],
          usage,
        },
      ],
    ],
    'data: [DONE]\n\n',
  );
}

function gemini(res: ServerResponse, reply: Reply, stream: boolean, usage: (typeof MAIN_USAGE)['gemini']) {
  const part =
    reply.kind === 'tool' ? { functionCall: { name: reply.name, args: reply.input } } : { text: reply.text };
  const chunk = {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usage,
    modelVersion: 'stand-in',
  };
  if (!stream) return json(res, chunk);
  sse(res, [[null, chunk]]);
}
