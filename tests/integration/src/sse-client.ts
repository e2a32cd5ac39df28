import { EventStreamParser } from '@ci-stack/http-contract';

/** A small Server-Sent Events reader for tests: events as they arrive, and the end of the stream. */
export interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
  /** When the event arrived (performance.now()). */
  at: number;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** Resolves with the first event (already received or to come) that satisfies `predicate`. */
  until(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  ended: Promise<void>;
  close(): void;
}

export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const listeners = new Set<() => void>();
  let finished = false;
  const ended = (async () => {
    const decoder = new TextDecoder();
    const parser = new EventStreamParser();
    try {
      for await (const chunk of res.body ?? []) {
        for (const e of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
          events.push({ id: e.id ?? '', event: e.event, data: JSON.parse(e.data), at: performance.now() });
          for (const l of listeners) l();
        }
      }
    } catch {
      // closed by the caller
    }
    finished = true;
    for (const l of listeners) l();
  })();
  return {
    status: res.status,
    events,
    ended,
    close: () => controller.abort(),
    until(predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = events.find(predicate);
          if (hit) done(() => resolve(hit));
          else if (finished) done(() => reject(new Error(`stream ended without the event; got ${JSON.stringify(events.map((e) => [e.event, e.data.state]))}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data.state]))}`))), timeoutMs);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
