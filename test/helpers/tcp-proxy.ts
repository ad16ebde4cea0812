// A small TCP proxy in front of the database, to cut or stall one client's network: `forward`
// passes bytes both ways; `stall` keeps every connection open and passes nothing (a network that
// stops answering); `cut` drops every connection and refuses new ones.

import { createServer, connect, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export type ProxyMode = 'forward' | 'stall' | 'cut';

export interface TcpProxy {
  port: number;
  set(mode: ProxyMode): void;
}

export async function tcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => {
      if (mode === 'forward') upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (mode === 'forward') client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return {
    port: (server.address() as { port: number }).port,
    set(next) {
      mode = next;
      if (next === 'cut') for (const s of sockets) s.destroy();
    },
  };
}

/** `url` pointing at the proxy instead. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
