import { refusal } from './api';

export interface StreamEvent {
  id?: string;
  event: string;
  data: string;
}

/** Splits Server-Sent Events text into events as it arrives (the parts of the format the services send). */
export class EventParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const out: StreamEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line === '') {
        if (this.current.data.length) out.push({ id: this.current.id, event: this.current.event ?? 'message', data: this.current.data.join('\n') });
        this.current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') this.current.data.push(value);
      else if (field === 'event') this.current.event = value;
      else if (field === 'id') this.current.id = value;
    }
    return out;
  }
}

/** How a stream ended: the service closed it (`closed`), or answered 204 (`no-content`: nothing more will come). */
export type StreamEnd = 'closed' | 'no-content';

/**
 * Reads one Server-Sent Events route with fetch, so it can send the bearer token (EventSource cannot). Resolves
 * when the service ends the stream, saying how; a refusal is an ApiError.
 */
export async function readEvents(url: string, opts: { token?: string; lastEventId?: string; signal: AbortSignal; onEvent: (e: StreamEvent) => void; fetch?: typeof fetch }): Promise<StreamEnd> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const res = await (opts.fetch ?? fetch)(url, { headers, signal: opts.signal });
  if (res.status === 204) return 'no-content';
  if (!res.ok || !res.body) throw refusal(res.status, await res.text());
  const parser = new EventParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return 'closed';
    for (const e of parser.push(value)) opts.onEvent(e);
  }
}
