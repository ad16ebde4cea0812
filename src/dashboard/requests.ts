// What every request to the dashboard passes before a route sees it, and how answers are written:
// the Host check (no DNS rebinding), the token (Bearer header; for GETs also `?token=`), bodies read
// with a 64 KiB limit and parsed as JSON objects. No CORS headers are ever sent.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, tokenMatches } from './token.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** A refusal that becomes an HTTP answer: status and a one-line reason. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Listening {
  /** The address as the server was asked to listen (127.0.0.1, ::1, 0.0.0.0, a name). */
  host: string;
  port: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** host:port as it appears in a URL or a Host header (IPv6 in brackets). */
export function hostPort(where: Listening): string {
  const host = where.host.includes(':') && !where.host.startsWith('[') ? `[${where.host}]` : where.host;
  return `${host}:${where.port}`;
}

/**
 * 403 unless the Host header names the listening address (a page of another site that resolves
 * its own name to 127.0.0.1 sends its own name). A wildcard listener accepts any host on its port,
 * and then every request needs the token anyway. A browser's Origin, when sent, must match too.
 */
export function checkHost(req: IncomingMessage, where: Listening): void {
  const host = (req.headers.host ?? '').toLowerCase();
  const expected = hostPort(where).toLowerCase();
  const ok = WILDCARDS.has(where.host) ? host.endsWith(`:${where.port}`) : host === expected;
  if (!ok) throw new HttpError(403, `Host "${req.headers.host ?? ''}" is not this dashboard's address (${hostPort(where)})`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin.toLowerCase() !== `http://${host}`) {
    throw new HttpError(403, `Origin "${origin}" is not this dashboard`);
  }
}

/** The token a request carries: the Bearer header, else (GETs only) `?token=` in the URL. */
export function givenToken(req: IncomingMessage, url: URL): string | null {
  const header = bearerToken(req.headers.authorization);
  if (header !== null) return header;
  return req.method === 'GET' || req.method === 'HEAD' ? url.searchParams.get('token') : null;
}

export function requireToken(req: IncomingMessage, url: URL, token: string): void {
  if (!tokenMatches(givenToken(req, url), token)) {
    throw new HttpError(401, 'this needs the token printed with the dashboard URL, as `Authorization: Bearer TOKEN`');
  }
}

/** The body as a JSON object; 413 past MAX_BODY_BYTES (declared or sent), 400 when not a JSON object. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * The body as text, refused with 413 once it passes the limit. What is still coming is read and
 * dropped (the answer goes out first and the connection then closes), so the client sees the 413
 * rather than a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  const tooBig = new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes`);
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      req.resume();
      return reject(tooBig);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume();
      reject(tooBig);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** A field of a JSON body that must be a non-empty string. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw new HttpError(400, `"${name}" must be a non-empty string`);
  return value;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendBytes(res: ServerResponse, status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    ...extra,
  });
  res.end(body);
}

/** An error answer; after a refused body the connection is closed, so what is left unread is dropped. */
export function sendError(res: ServerResponse, error: HttpError, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (close) res.setHeader('Connection', 'close');
  sendJson(res, error.status, { error: error.message });
}

export { SECURITY_HEADERS };
