// A small mock of the Gemini API (generativelanguage, v1beta) on 127.0.0.1 for driving the real
// Gemini CLI offline (GOOGLE_GEMINI_BASE_URL): the main conversation (requests that declare the
// write_file tool) follows a script of turns, streamed as SSE; side requests (routing, checks) get a
// short text answer.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './mock-http.js';

export type GeminiTurn = { kind: 'call'; name: string; args: Record<string, unknown> } | { kind: 'text'; text: string };

export interface GeminiRequest {
  contents: { role: string; parts: Record<string, unknown>[] }[];
  tools?: { functionDeclarations?: { name: string; description?: string }[] }[];
}

export interface MockGemini {
  url: string;
  conversation: GeminiRequest[];
  seen: string[];
  close(): Promise<void>;
}

export async function startMockGemini(script: (request: GeminiRequest, n: number) => GeminiTurn): Promise<MockGemini> {
  const conversation: GeminiRequest[] = [];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, message: String(error), status: 'INTERNAL' } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    seen.push(`${req.method} ${url.split('?')[0]}`);
    const body = await readBody(req);
    if (url.includes(':countTokens')) return sendJson(res, { totalTokens: 42 });
    const request = (body ? JSON.parse(body) : { contents: [] }) as GeminiRequest;
    const isMain = declarations(request).some((d) => d.name === 'write_file');
    let turn: GeminiTurn = { kind: 'text', text: '{"reasoning":"mock","model_choice":"flash","next_speaker":"user"}' };
    if (isMain) {
      conversation.push(request);
      turn = script(request, conversation.length - 1);
    }
    const answer = response(turn);
    if (url.includes(':streamGenerateContent')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(answer)}\r\n\r\n`);
      return;
    }
    sendJson(res, answer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    conversation,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function declarations(request: GeminiRequest): { name: string; description?: string }[] {
  return (request.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
}

/** Text of the functionResponse parts of the request's last turn (what a tool call gave the model). */
export function functionResponses(request: GeminiRequest): string {
  const last = request.contents.at(-1);
  return JSON.stringify((last?.parts ?? []).filter((p) => 'functionResponse' in p));
}

function response(turn: GeminiTurn): Record<string, unknown> {
  const part = turn.kind === 'text' ? { text: turn.text } : { functionCall: { name: turn.name, args: turn.args } };
  return {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 42, candidatesTokenCount: 10, totalTokenCount: 52 },
    modelVersion: 'mock-model',
  };
}

