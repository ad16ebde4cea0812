// The dashboard's HTTP server (node:http, no framework): the page, /api/board, /api/events and the
// writing actions, behind the checks of requests.ts. Listens on 127.0.0.1 unless told otherwise;
// a busy port is an error before anything is served.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentvisorError } from '../core/errors.js';
import type { BoardRecord } from '../core/records.js';
import type { Store } from '../core/store.js';
import type { RunControl } from '../supervisor/run-control.js';
import { controlAgent, forceRelease, sendMessage, type ActionContext, type Answer } from './actions.js';
import { AgentLogs } from './agent-logs.js';
import { BoardFeed } from './board-feed.js';
import { defaultPageDir, PageFiles } from './page-files.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './options.js';
import { checkHost, hostPort, HttpError, isLoopback, readJsonBody, requireToken, sendBytes, sendError, sendJson, type Listening } from './requests.js';
import { openEventStream } from './sse.js';
import { newToken } from './token.js';

export interface DashboardOptions {
  store: Store;
  /** The board as `status --json` prints it (default: store.board()). */
  readBoard?: () => Promise<BoardRecord>;
  /** Where the run keeps agents' logs (<coordination dir>/logs), or null. */
  logsDir: string | null;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  pageDir?: string;
  /** A failure inside the server that answered no request (a board read in the feed). */
  onError?: (error: unknown) => void;
  tickMs?: number;
}

export interface Dashboard {
  /** `http://HOST:PORT/?token=TOKEN`, the line's URL. */
  readonly url: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** Pages (event streams) connected now. */
  readonly clients: number;
  /** Attach a run: stop and restart then work on its agents. */
  attach(control: RunControl): void;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? DEFAULT_HOST;
  const token = newToken();
  const page = new PageFiles(options.pageDir ?? defaultPageDir());
  const ctx: ActionContext = { store: options.store, control: null };
  const onError = options.onError ?? (() => undefined);
  const feed = new BoardFeed(
    options.readBoard ?? (() => options.store.board()),
    options.logsDir ? new AgentLogs(options.logsDir) : null,
    () => (ctx.control ? { agents: ctx.control.agentIds() } : null),
    onError,
    options.tickMs,
  );
  const where: Listening = { host, port: options.port ?? DEFAULT_PORT };
  // GETs need the token too when the server is reachable from elsewhere.
  const getsNeedToken = !isLoopback(host);

  const act = (run: (body: Record<string, unknown>) => Promise<Answer> | Answer, withBody = true): Route => async (req, res, url) => {
    requireToken(req, url, token);
    const body = withBody ? await readJsonBody(req) : (req.resume(), {});
    const answer = await run(body);
    feed.poke();
    sendJson(res, answer.status, answer.body);
  };

  const routes: Record<string, Route> = {
    'GET /api/board': async (_req, res) => sendJson(res, 200, await feed.snapshot().then((s) => s.board)),
    'GET /api/events': async (_req, res) => {
      let unsubscribe: (() => void) | null = null;
      let gone = false;
      const listener = openEventStream(res, () => {
        gone = true;
        unsubscribe?.();
      });
      const stop = await feed.subscribe(listener);
      if (gone) stop();
      else unsubscribe = stop;
    },
    'POST /api/messages': act((body) => sendMessage(ctx, body)),
    'POST /api/locks/release': act((body) => forceRelease(ctx, body)),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkHost(req, where);
    const url = new URL(req.url ?? '/', `http://${hostPort(where)}`);
    if (getsNeedToken || req.method === 'POST') requireToken(req, url, token);
    const key = `${req.method} ${url.pathname}`;
    const route = routes[key] ?? agentRoute(req.method, url.pathname);
    if (route) return route(req, res, url);
    if (req.method === 'GET' || req.method === 'HEAD') return servePage(res, url);
    throw new HttpError(url.pathname.startsWith('/api/') ? 405 : 404, `${req.method} ${url.pathname}: no such action`);
  };

  const agentRoute = (method: string | undefined, pathname: string): Route | null => {
    const match = /^\/api\/agents\/([^/]+)\/(stop|restart)$/.exec(pathname);
    if (method !== 'POST' || !match) return null;
    return act(() => controlAgent(ctx, decodeURIComponent(match[1]!), match[2] as 'stop' | 'restart'), false);
  };

  const servePage = (res: ServerResponse, url: URL): void => {
    const file = page.find(url.pathname);
    if (!file) throw new HttpError(404, `${url.pathname}: not found`);
    const body = file.name === 'index.html' && getsNeedToken ? PageFiles.withTokenQuery(file.body, token) : file.body;
    sendBytes(res, 200, file.type, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendError(res, error, error.status === 413);
      onError(error);
      sendError(res, new HttpError(500, (error as Error).message));
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const port = await listen(server, where);
  where.port = port;
  return {
    url: `http://${hostPort(where)}/?token=${token}`,
    token,
    host,
    port,
    get clients() {
      return feed.listenerCount;
    },
    attach(control) {
      ctx.control = control;
      feed.poke();
    },
    async close() {
      feed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, where: Listening): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'is in use' : error.code === 'EACCES' ? 'is not allowed' : `failed (${error.message})`;
      reject(new AgentvisorError('DASHBOARD_UNAVAILABLE', `dashboard: port ${where.port} on ${where.host} ${why}`, { host: where.host, port: where.port }, { cause: error }));
    };
    server.once('error', onError);
    server.listen(where.port, where.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
