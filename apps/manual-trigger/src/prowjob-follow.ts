import type { ProwJob } from '@ci-stack/prowjob-api';
import { observeProwJob } from './observe-prowjob';
import type { ProwJobApi, WatchEvent } from './prowjob-api';
import { getProwJob } from './trigger-service';
import { hasEnded, type ProwJobSummary, type ProwJobViews } from './views';

/** One server-sent event: `status` for every change a client can see, `deleted` when the ProwJob is gone. */
export interface FollowEvent {
  id: string;
  event: 'status' | 'deleted';
  data: ProwJobSummary;
}

export interface FollowDeps {
  prowJobs?: ProwJobApi;
  views: ProwJobViews;
  /** Pause before re-watching after a failed watch (see {@link observeProwJob}). */
  retryDelayMs?: number;
}

/**
 * Follows one ProwJob through a Kubernetes watch: every change that alters what a client sees becomes an event,
 * until the job ends or is deleted. A watch the API server closes is re-established from the last resourceVersion
 * seen; one whose resourceVersion is compacted (410) or that fails continues from a fresh read.
 */
export class ProwJobFollower {
  private open = 0;

  constructor(private readonly deps: FollowDeps) {}

  /** Streams and waits being served now (a gauge). */
  get following(): number {
    return this.open;
  }

  /** The ProwJob now; 404 for an unknown name. */
  current(name: string): Promise<ProwJob> {
    return getProwJob(this.deps.prowJobs, name);
  }

  /**
   * Sends the changes after `lastEventId` (or, without one, the current state first) until the job ends, it is
   * deleted or `signal` aborts (client gone, shutdown). `current` is the state read when the client connected.
   */
  async follow(current: ProwJob, lastEventId: string | undefined, send: (event: FollowEvent) => void, signal: AbortSignal): Promise<void> {
    let lastSent = '';
    const emit = (event: WatchEvent): boolean => {
      const data = this.deps.views.summary(event.prowJob);
      if (event.type === 'DELETED') {
        send({ id: event.prowJob.metadata.resourceVersion ?? '', event: 'deleted', data });
        return true;
      }
      const text = JSON.stringify(data);
      if (text !== lastSent) send({ id: event.prowJob.metadata.resourceVersion ?? '', event: 'status', data });
      lastSent = text;
      return data.ended;
    };
    const from = lastEventId ?? current.metadata.resourceVersion;
    if (lastEventId === undefined && emit({ type: 'MODIFIED', prowJob: current })) return;
    this.open++;
    try {
      await this.observe(current, from, emit, signal);
    } finally {
      this.open--;
    }
  }

  /** The ProwJob once it has ended, or as it is when `timeoutMs` passes or `signal` aborts. */
  async waitUntilEnded(current: ProwJob, timeoutMs: number, signal: AbortSignal): Promise<{ prowJob: ProwJob; ended: boolean }> {
    let latest = current;
    if (hasEnded(current)) return { prowJob: current, ended: true };
    const stop = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    this.open++;
    try {
      await this.observe(current, current.metadata.resourceVersion, (event) => {
        latest = event.prowJob;
        return event.type === 'DELETED' || hasEnded(latest);
      }, stop);
    } finally {
      this.open--;
    }
    return { prowJob: latest, ended: hasEnded(latest) };
  }

  private observe(start: ProwJob, fromVersion: string | undefined, onEvent: (event: WatchEvent) => boolean, signal: AbortSignal): Promise<void> {
    if (!this.deps.prowJobs) return Promise.resolve();
    return observeProwJob(this.deps.prowJobs, start, fromVersion, onEvent, signal, this.deps.retryDelayMs);
  }
}
