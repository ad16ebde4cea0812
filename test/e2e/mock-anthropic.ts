// A small mock of the Anthropic Messages API on 127.0.0.1 for driving the real Claude Code CLI:
// the main conversation (requests that offer the Write tool) follows a script of turns; side
// requests (token counts, title generation, anything without tools) get short, sensible answers.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './mock-http.js';

export type ScriptedTurn = { kind: 'tool_use'; name: string; input: Record<string, unknown> } | { kind: 'text'; text: string };

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  tools?: { name: string }[];
  messages: { role: string; content: unknown }[];
}

export interface MockAnthropic {
  url: string;
  /** Every main-conversation request, in order. */
  conversation: MessagesRequest[];
  /** Paths of every request received (side requests included), for diagnostics. */
  seen: string[];
  close(): Promise<void>;
}

/** Answers main-conversation request n with `script(request, n)`. */
export async function startMockAnthropic(script: (request: MessagesRequest, n: number) => ScriptedTurn): Promise<MockAnthropic> {
  const conversation: MessagesRequest[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push(`${req.method} ${path}`);
    const body = await readBody(req);
    if (req.method === 'POST' && path.endsWith('/messages/count_tokens')) return sendJson(res, { input_tokens: 42 });
    if (req.method !== 'POST' || !path.endsWith('/messages')) return sendJson(res, {});
    const request = JSON.parse(body) as MessagesRequest;
    const isMain = request.tools?.some((t) => t.name === 'Write') ?? false;
    let turn: ScriptedTurn = { kind: 'text', text: 'Agentvisor guard test' };
    if (isMain) {
      conversation.push(request);
      turn = script(request, conversation.length - 1);
    }
    if (request.stream) return sendStream(res, request, turn);
    return sendJson(res, wholeMessage(request, turn));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, conversation, seen, close: () => closeServer(server) };
}

/** The conversation's last turn that is not a trailing `role: "system"` message. */
export function lastNonSystem(request: MessagesRequest): { role: string; content: unknown } | undefined {
  return request.messages.filter((m) => m.role !== 'system').at(-1);
}

/** Text of every tool_result block in a message (what a hook's block reason reaches the model as). */
export function toolResultTexts(message: { content: unknown } | undefined): string[] {
  if (!message || !Array.isArray(message.content)) return [];
  return message.content
    .filter((b): b is { type: string; content: unknown } => typeof b === 'object' && b !== null && (b as { type?: unknown }).type === 'tool_result')
    .map((b) => flattenText(b.content));
}

function flattenText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === 'object' && c && 'text' in c ? String(c.text) : '')).join('');
  return '';
}

let nextId = 0;

function wholeMessage(request: MessagesRequest, turn: ScriptedTurn): Record<string, unknown> {
  const id = `msg_mock_${++nextId}`;
  const block = turn.kind === 'text' ? { type: 'text', text: turn.text } : { type: 'tool_use', id: `toolu_mock_${nextId}`, name: turn.name, input: turn.input };
  return {
    id, type: 'message', role: 'assistant', model: request.model ?? 'claude-mock', content: [block],
    stop_reason: turn.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null,
    usage: { input_tokens: 42, output_tokens: 10 },
  };
}

function sendStream(res: ServerResponse, request: MessagesRequest, turn: ScriptedTurn): void {
  const whole = wholeMessage(request, turn);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const event = (type: string, data: Record<string, unknown>): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  event('message_start', { message: { ...whole, content: [], stop_reason: null, usage: { input_tokens: 42, output_tokens: 1 } } });
  if (turn.kind === 'text') {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: turn.text } });
  } else {
    const block = (whole.content as { id: string }[])[0]!;
    event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: block.id, name: turn.name, input: {} } });
    const json = JSON.stringify(turn.input);
    const half = Math.floor(json.length / 2);
    // Two deltas, as the real API splits the input JSON across events.
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(0, half) } });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(half) } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: whole.stop_reason, stop_sequence: null }, usage: { output_tokens: 10 } });
  event('message_stop', {});
  res.end();
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
