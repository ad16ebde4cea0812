// One Server-Sent Events client of /api/events: named events written as they come, a comment every
// KEEPALIVE_MS so proxies and the browser keep the stream open, and gone when the page goes (or
// reads too slowly to keep up).

import type { ServerResponse } from 'node:http';
import type { FeedListener } from './board-feed.js';
import { SECURITY_HEADERS } from './requests.js';

const KEEPALIVE_MS = 15_000;
/** A client this far behind is dropped: the next connection starts from the whole board again. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** How soon a page reconnects after losing the stream (EventSource's `retry`). */
const RETRY_MS = 1_000;

export function openEventStream(res: ServerResponse, onClose: () => void): FeedListener {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    onClose();
  };
  // The response's 'close' (the connection went), not the request's: that one comes as soon as the
  // request has been read, long before the page goes.
  res.on('close', close);
  res.on('error', close);
  return {
    sent: {},
    send(event, json, key) {
      if (closed) return;
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${json}\n\n`);
      this.sent[event] = key;
    },
  };
}
