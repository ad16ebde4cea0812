// A small mock of the OpenAI Responses API on 127.0.0.1 for driving the real Codex CLI offline:
// `POST /v1/responses` answers each request of the conversation with `script(request, n)` as SSE
// (response.created, output_item.added/done, response.completed); `GET /v1/models` lists the
// model catalog it is given.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './mock-http.js';

export type ResponsesTurn =
  | { kind: 'function_call'; name: string; namespace?: string; arguments: Record<string, unknown> }
  | { kind: 'custom_tool_call'; name: string; input: string }
  | { kind: 'message'; text: string };

export interface ResponsesRequest {
  model?: string;
  tools?: { type: string; name?: string }[];
  input: unknown[];
}

export interface MockResponses {
  /** The provider's base_url. */
  url: string;
  requests: ResponsesRequest[];
  seen: string[];
  close(): Promise<void>;
}

export async function startMockResponses(
  script: (request: ResponsesRequest, n: number) => ResponsesTurn,
  catalog: unknown = { models: [] },
): Promise<MockResponses> {
  const requests: ResponsesRequest[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push(`${req.method} ${path}`);
    const body = await readBody(req);
    if (req.method === 'GET' && path.endsWith('/models')) return sendJson(res, catalog);
    if (req.method !== 'POST' || !path.endsWith('/responses')) return sendJson(res, {});
    const request = JSON.parse(body) as ResponsesRequest;
    requests.push(request);
    stream(res, script(request, requests.length - 1), requests.length);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The name of an offered tool whose name contains every part (MCP tools are namespaced by the client). */
export function toolNamed(request: ResponsesRequest, ...parts: string[]): string | undefined {
  const names = (request.tools ?? []).flatMap((t) => [t.name ?? '', ...nested(t)]);
  return names.find((n) => parts.every((p) => n.includes(p)));
}

function nested(tool: unknown): string[] {
  const tools = (tool as { tools?: { name?: string }[] }).tools;
  return Array.isArray(tools) ? tools.map((t) => t.name ?? '') : [];
}

/** The output text Codex sent back for a call (function_call_output or custom_tool_call_output). */
export function callOutput(request: ResponsesRequest, callId: string): string | undefined {
  for (const item of request.input as { type?: string; call_id?: string; output?: unknown }[]) {
    if ((item.type === 'function_call_output' || item.type === 'custom_tool_call_output') && item.call_id === callId) {
      if (typeof item.output === 'string') return item.output;
      // Content items ({type: input_text, text}) are joined: the text the model reads.
      if (Array.isArray(item.output)) return item.output.map((c: { text?: unknown }) => (typeof c.text === 'string' ? c.text : '')).join('\n');
      return JSON.stringify(item.output);
    }
  }
  return undefined;
}

function stream(res: ServerResponse, turn: ResponsesTurn, n: number): void {
  const id = `resp_mock_${n}`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (data: Record<string, unknown>): void => {
    res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const item = itemOf(turn, n);
  event({ type: 'response.created', response: { id } });
  event({ type: 'response.output_item.added', item });
  event({ type: 'response.output_item.done', item });
  event({
    type: 'response.completed',
    response: { id, usage: { input_tokens: 42, input_tokens_details: null, output_tokens: 10, output_tokens_details: null, total_tokens: 52 } },
  });
  res.end();
}

/** Call ids are `call_<n>` for the n-th request's answer. */
function itemOf(turn: ResponsesTurn, n: number): Record<string, unknown> {
  const callId = `call_${n - 1}`;
  switch (turn.kind) {
    case 'function_call':
      return { type: 'function_call', id: `fc_${n}`, call_id: callId, name: turn.name, ...(turn.namespace ? { namespace: turn.namespace } : {}), arguments: JSON.stringify(turn.arguments) };
    case 'custom_tool_call':
      return { type: 'custom_tool_call', id: `ctc_${n}`, call_id: callId, name: turn.name, input: turn.input };
    case 'message':
      return { type: 'message', id: `msg_${n}`, role: 'assistant', content: [{ type: 'output_text', text: turn.text }] };
  }
}

