/** Whether a live stream is delivering: connecting first, live once open, reconnecting after a drop. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveOptions {
  /** Handlers by event name; each gets the event's data parsed as JSON. */
  on: Record<string, (data: unknown) => void>;
  status?: (status: LiveStatus) => void;
  /** For testing. */
  EventSource?: typeof EventSource;
}

/**
 * Follows a Server-Sent Events route of this console's service. The browser reconnects by itself after a dropped
 * connection (after the service's `retry:` hint); when it gives up (the service answered with an error), this
 * opens a new stream after `retryMs`. The service starts every connection with a snapshot, so nothing is missed.
 * Returns a function that closes the stream.
 */
export function followEvents(url: string, opts: LiveOptions & { retryMs?: number }): () => void {
  const Source = opts.EventSource ?? EventSource;
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const open = (): void => {
    const s = new Source(url);
    source = s;
    s.onopen = () => opts.status?.('live');
    s.onerror = () => {
      opts.status?.('reconnecting');
      if (s.readyState === Source.CLOSED && !stopped) retry = setTimeout(open, opts.retryMs ?? 3000);
    };
    for (const [event, handler] of Object.entries(opts.on)) {
      s.addEventListener(event, (e) => handler(JSON.parse((e as MessageEvent<string>).data)));
    }
  };
  opts.status?.('connecting');
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}
