/** One Server-Sent Event as the WHATWG event-stream format defines it. */
export interface ServerEvent<T = string> {
  id?: string;
  event: string;
  data: T;
}

/**
 * Incremental parser of a `text/event-stream`: feed it text as it arrives, it returns the events completed by
 * that text. Comments and `retry:` are ignored; an event without data is not dispatched.
 */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  /** The last id seen, for `Last-Event-ID` on reconnect. */
  lastEventId: string | undefined;

  push(text: string): Array<ServerEvent> {
    this.buffer += text;
    const out: ServerEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone \r at the end may be the first half of \r\n: wait for more text.
      if (width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(newline + width);
      const dispatched = this.line(line);
      if (dispatched) out.push(dispatched);
    }
    return out;
  }

  private line(line: string): ServerEvent | undefined {
    if (line === '') {
      const dispatched = this.data.length ? { ...(this.id !== undefined ? { id: this.id } : {}), event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.data = [];
      this.event = '';
      return dispatched;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = this.lastEventId = value;
    return undefined;
  }
}

/** All events of a complete event-stream body. */
export function parseEventStream(body: string): ServerEvent[] {
  return new EventStreamParser().push(body.endsWith('\n') ? body : `${body}\n`);
}
