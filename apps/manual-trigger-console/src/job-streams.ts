import type { StreamEnd, StreamEvent } from '@ci-stack/console-kit';
import type { ProwJobSummary } from '@ci-stack/manual-trigger-api';

/** Reads one event stream until the service ends it (console-kit's `readEvents`). */
export type ReadEvents = (url: string, opts: { token?: string; lastEventId?: string; signal: AbortSignal; onEvent: (e: StreamEvent) => void }) => Promise<StreamEnd>;

export interface JobStreamsOptions {
  read: ReadEvents;
  token: string | undefined;
  /** A followed job changed; `deleted` carries its last state (sinker removed it). */
  onSummary: (summary: ProwJobSummary, event: 'status' | 'deleted') => void;
  /** The service refused the stream (a 4xx, e.g. 403 without `read`, 404 for a ProwJob gone): it is not asked again. */
  onRefused: (jobName: string, err: unknown) => void;
  /** Pause before reconnecting: the `retry:` the service's streams announce. */
  retryMs?: number;
  /** For testing. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const RETRY_MS = 2000;

/**
 * Follows the event streams (`GET /prowjobs/NAME/events`) of the ProwJobs it is told to follow, each until the job
 * has ended: an event with `ended: true`, a `deleted` event, or `204` when reconnecting after the last event. A
 * stream that drops, or that the service closes before the end (a replica shutting down closes its streams), is
 * opened again with `Last-Event-ID`, so the service replays exactly the changes missed meanwhile.
 */
export class JobStreams {
  private readonly open = new Map<string, AbortController>();
  /** Ended or refused: following them again would only repeat the last answer. */
  private readonly done = new Set<string>();

  constructor(private readonly opts: JobStreamsOptions) {}

  /** From now on follows exactly these jobs (those not yet done): opens the new streams and closes the others. */
  follow(names: readonly string[]): void {
    for (const [name, stop] of this.open) {
      if (names.includes(name)) continue;
      stop.abort();
      this.open.delete(name);
    }
    for (const name of names) if (!this.open.has(name) && !this.done.has(name)) this.start(name);
  }

  /** The jobs whose streams are open or being reopened. */
  get following(): string[] {
    return [...this.open.keys()];
  }

  close(): void {
    for (const stop of this.open.values()) stop.abort();
    this.open.clear();
  }

  private start(name: string): void {
    const stop = new AbortController();
    this.open.set(name, stop);
    void this.run(name, stop.signal).finally(() => {
      if (this.open.get(name) === stop) this.open.delete(name);
    });
  }

  private async run(name: string, signal: AbortSignal): Promise<void> {
    const sleep = this.opts.sleep ?? pause;
    let lastEventId: string | undefined;
    let ended = false;
    const onEvent = (e: StreamEvent): void => {
      if ((e.event !== 'status' && e.event !== 'deleted') || signal.aborted) return;
      lastEventId = e.id ?? lastEventId;
      const summary = JSON.parse(e.data) as ProwJobSummary;
      ended = summary.ended || e.event === 'deleted';
      this.opts.onSummary(summary, e.event);
    };
    while (!ended && !signal.aborted) {
      try {
        const end = await this.opts.read(`/prowjobs/${encodeURIComponent(name)}/events`, { token: this.opts.token, lastEventId, signal, onEvent });
        if (end === 'no-content') ended = true;
      } catch (err) {
        if (signal.aborted) return;
        if (isRefusal(err)) {
          this.done.add(name);
          return this.opts.onRefused(name, err);
        }
        // unreachable or failing (5xx): try again after the pause, as EventSource would
      }
      if (!ended) await sleep(this.opts.retryMs ?? RETRY_MS, signal);
    }
    if (ended) this.done.add(name);
  }
}

/** A 4xx: asking again would get the same answer. */
function isRefusal(err: unknown): boolean {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
