import { Router } from 'express';
import { cimasterRoutes } from '@ci-stack/cimaster-api';
import type { PoolState } from '@ci-stack/pool';
import type { Clock } from '@ci-stack/core';
import { encodeEvent, openEventStream, type EventStream, type Logger } from '@ci-stack/service-kit';
import { clusterView, ticketView } from './views';

/**
 * Tells the hub that the stored pool may have changed, by this replica or another (the store's change feed: an
 * in-process event, Redis pub/sub or a ConfigMap watch). It calls `listener` once when it goes live.
 */
export interface PoolChangeFeed {
  subscribe(listener: () => void): () => void;
}

/** This process's own writes as a change feed (a store without notifications from other replicas). */
export class LocalWrites implements PoolChangeFeed {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Called after each successful write of this process. */
  wrote(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface PoolEventHubOptions {
  snapshot: () => Promise<PoolState>;
  /** Without a feed the hub only re-reads every `resyncMs` (a single process without notifications). */
  changes?: PoolChangeFeed;
  clock: Clock;
  logger: Logger;
  /** Changes within this window are sent as one event: a burst of getvacant calls costs one read. */
  coalesceMs?: number;
  /**
   * At most one read (and one event) per this interval: under a steady stream of writes, every client gets a few
   * events a second however busy the pool is, and the store a few reads, while a person still sees it at once.
   */
  minIntervalMs?: number;
  /** A safety net: re-read this often while anyone listens, in case a notification was lost. */
  resyncMs?: number;
}

/** What the pool looked like when last sent: each cluster and the queue as their JSON text. */
interface Sent {
  clusters: Map<string, string>;
  queue: string;
}

/**
 * Feeds every open pool event stream of this replica from one store read per burst of changes. A client gets the
 * whole pool first (`snapshot`), then `change` events naming only the clusters that changed or went away and the
 * queue when it changed. Each event is encoded once and written to every client.
 */
export class PoolEventHub {
  private readonly clients = new Set<EventStream>();
  private unsubscribe?: () => void;
  private resync?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;
  private reading: Promise<void> = Promise.resolve();
  private sent?: Sent;
  private seq = 0;
  private lastRead = 0;

  constructor(private readonly opts: PoolEventHubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Sends the pool as last sent to `stream` (synchronously, so no change event can slip in between), then every
   * change until it closes. The first client starts a read; its snapshot goes to everyone waiting for one.
   */
  attach(stream: EventStream): void {
    if (this.sent) stream.write(this.snapshotEvent(this.sent));
    this.clients.add(stream);
    void stream.closed.then(() => this.detach(stream));
    if (this.clients.size === 1) {
      this.start();
      void this.refresh();
    } else if (!this.sent) this.changed(); // the first read failed: try again soon
  }

  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.stop();
  }

  private start(): void {
    this.unsubscribe = this.opts.changes?.subscribe(() => this.changed());
    this.resync = setInterval(() => this.changed(), this.opts.resyncMs ?? 30_000);
    this.resync.unref();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.resync);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sent = undefined; // nobody listens: the next client starts from a fresh read
  }

  private detach(stream: EventStream): void {
    if (this.clients.delete(stream) && this.clients.size === 0) this.stop();
  }

  private changed(): void {
    if (this.timer || this.clients.size === 0) return;
    const now = this.opts.clock.now().getTime();
    const delay = Math.max(this.opts.coalesceMs ?? 50, this.lastRead + (this.opts.minIntervalMs ?? 500) - now);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  /** Reads the pool once and sends what changed; reads never overlap, so events leave in order. */
  private refresh(): Promise<void> {
    // A failure here must not leave the chain rejected: every later refresh would reject unhandled.
    this.reading = this.reading.then(() => this.readAndSend()).catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'pool event stream could not send an event'));
    return this.reading;
  }

  private async readAndSend(): Promise<void> {
    if (this.clients.size === 0) return;
    this.lastRead = this.opts.clock.now().getTime();
    let state: PoolState;
    try {
      state = await this.opts.snapshot();
    } catch (err) {
      // The next change or resync tries again; the clients keep what they have.
      this.opts.logger.warn({ err: (err as Error).message }, 'pool event stream could not read the pool');
      return;
    }
    const next: Sent = { clusters: new Map(), queue: JSON.stringify(state.queue.map((t, i) => ticketView(t, i + 1))) };
    for (const c of [...state.clusters.values()].sort((a, b) => a.name.localeCompare(b.name))) next.clusters.set(c.name, JSON.stringify(clusterView(c)));
    const previous = this.sent;
    this.sent = next;
    if (!previous) {
      this.broadcast(this.snapshotEvent(next));
      return;
    }
    const event = this.changeEvent(previous, next);
    if (event) this.broadcast(event);
  }

  private snapshotEvent(s: Sent): string {
    const clusters = `[${[...s.clusters.values()].join(',')}]`;
    return encodeEvent('snapshot', `{"seq":${this.seq},"now":"${this.opts.clock.now().toISOString()}","clusters":${clusters},"queue":${s.queue}}`, String(this.seq));
  }

  private changeEvent(previous: Sent, next: Sent): string | undefined {
    const changed: string[] = [];
    for (const [name, json] of next.clusters) if (previous.clusters.get(name) !== json) changed.push(json);
    const removed = [...previous.clusters.keys()].filter((name) => !next.clusters.has(name));
    const queueChanged = previous.queue !== next.queue;
    if (changed.length === 0 && removed.length === 0 && !queueChanged) return undefined;
    this.seq++;
    const parts = [`"seq":${this.seq}`, `"now":"${this.opts.clock.now().toISOString()}"`, `"clusters":[${changed.join(',')}]`, `"removed":${JSON.stringify(removed)}`];
    if (queueChanged) parts.push(`"queue":${next.queue}`);
    return encodeEvent('change', `{${parts.join(',')}}`, String(this.seq));
  }

  private broadcast(encoded: string): void {
    for (const client of this.clients) client.write(encoded);
  }
}

/**
 * `GET /pool/events`: Server-Sent Events of the pool for the console. Every replica serves it from the store's
 * change feed, so a client connected to any replica sees the writes of all of them.
 */
export function poolEventRoutes(hub: PoolEventHub): Router {
  const router = Router();
  router.get(cimasterRoutes.poolEvents.path, (req, res) => {
    hub.attach(openEventStream(req, res));
  });
  return router;
}
