import type { Response } from 'express';

/** A Server-Sent Events response: headers sent at once, one event per write, comment lines to keep proxies open. */
export class EventStream {
  private readonly keepAlive: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly res: Response,
    opts: { keepAliveMs: number; retryMs: number },
  ) {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(`retry: ${opts.retryMs}\n\n`);
    this.keepAlive = setInterval(() => res.write(': keep-alive\n\n'), opts.keepAliveMs);
    this.keepAlive.unref();
  }

  send(event: { id: string; event: string; data: unknown }): void {
    if (this.ended) return;
    this.res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    this.res.end();
  }
}
