// What the dashboard tests share: raw HTTP requests (any Host, any path, bodies of any size) and a
// Server-Sent Events reader that keeps every event it receives.

import { request, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in pieces without a Content-Length (chunked). */
  chunked?: boolean;
}

/** One request to 127.0.0.1:port, the path sent exactly as given. */
export function call(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: `127.0.0.1:${port}`, ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }));
    });
    // A server that answers before reading the whole body may close the connection under us.
    req.on('error', reject);
    if (options.body !== undefined && options.chunked) {
      const body = Buffer.from(options.body);
      for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
    } else if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function post(port: number, path: string, body: unknown, token?: string): Promise<Reply> {
  return call(port, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

export interface EventStream {
  events: { event: string; data: string }[];
  /** The board events, parsed. */
  boards<T = { agents: Record<string, { status: string }>; locks: unknown[] }>(): T[];
  close(): void;
}

export function openEvents(port: number, path = '/api/events'): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
      const events: EventStream['events'] = [];
      let buffer = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data });
        }
      });
      res.on('error', () => undefined);
      resolve({
        events,
        boards: <T>() => events.filter((e) => e.event === 'board').map((e) => JSON.parse(e.data) as T),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
