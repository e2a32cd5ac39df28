import type { Request, Response } from 'express';

/** One open Server-Sent Events answer. */
export interface EventStream {
  /** Writes one event; `data` is sent as it is when a string, else as JSON. */
  send(event: string, data: unknown, id?: string): void;
  /** Writes a pre-encoded event (see {@link encodeEvent}); the same bytes can go to many streams. */
  write(encoded: string): void;
  /** Resolves when the client leaves or the stream is ended. */
  readonly closed: Promise<void>;
  end(): void;
}

/** Encodes one event once, so a hub can write the same string to every client. */
export function encodeEvent(event: string, data: unknown, id?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = text.split('\n').map((l) => `data: ${l}`);
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\n${lines.join('\n')}\n\n`;
}

/**
 * Starts a Server-Sent Events answer: no caching, no proxy buffering, a retry hint, and a comment line every
 * `keepAliveMs` so idle connections are not cut by proxies.
 */
export function openEventStream(req: Request, res: Response, opts: { keepAliveMs?: number; retryMs?: number } = {}): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Connection', 'keep-alive');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  let open = true;
  const write = (encoded: string): void => {
    if (open) res.write(encoded);
  };
  const timer = setInterval(() => write(': keep-alive\n\n'), opts.keepAliveMs ?? 15_000);
  timer.unref();
  const stop = (): void => {
    open = false;
    clearInterval(timer);
  };
  // A client gone mid-write is not this process's failure: the stream just ends ('close' follows).
  res.on('error', stop);
  const closed = new Promise<void>((resolve) => {
    res.on('close', () => {
      stop();
      resolve();
    });
  });
  write(`retry: ${opts.retryMs ?? 2000}\n\n`);
  return {
    send: (event, data, id) => write(encodeEvent(event, data, id)),
    write,
    closed,
    // Nothing is written after the end, although a client that stopped reading may close the socket much later.
    end: () => {
      if (!open) return;
      stop();
      res.end();
    },
  };
}
