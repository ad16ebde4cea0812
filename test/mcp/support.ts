// What the MCP tests share: the built `agentvisor mcp` started by the SDK's own Client over stdio
// (the way Claude Code, Codex and Gemini CLI start it), and reading its tool results.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { onTestFinished } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { isGone, waitFor } from '../helpers/wait-for.js';

export interface McpSession {
  client: Client;
  pid: number;
  /** What the server said on stderr so far. */
  stderr(): string;
  /** Close its stdin (the client going away) and wait for the process to end. */
  close(): Promise<void>;
}

export async function startMcp(root: string, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    cwd: root,
    env: cleanEnv(env) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'agentvisor-test', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  const close = async (): Promise<void> => {
    await client.close();
    await waitFor(() => isGone(pid), { what: `mcp server ${pid} to exit` });
  };
  onTestFinished(async () => {
    if (!isGone(pid)) process.kill(pid, 'SIGKILL');
  });
  return { client, pid, stderr: () => stderr, close };
}

export interface ParsedResult {
  isError: boolean;
  texts: string[];
  /** The last text that parses as JSON (the records). */
  records: unknown;
}

export function parse(result: unknown): ParsedResult {
  const r = result as { isError?: boolean; content: { type: string; text: string }[] };
  const texts = r.content.filter((c) => c.type === 'text').map((c) => c.text);
  let records: unknown = undefined;
  for (const t of texts) {
    try {
      records = JSON.parse(t);
    } catch {
      // a sentence for the model
    }
  }
  return { isError: r.isError === true, texts, records };
}

export async function call(session: McpSession, name: string, args: Record<string, unknown> = {}): Promise<ParsedResult> {
  return parse(await session.client.callTool({ name, arguments: args }));
}
