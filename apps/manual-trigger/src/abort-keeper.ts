import type { ProwJob } from '@ci-stack/prowjob-api';
import { observeProwJob } from './observe-prowjob';
import type { ProwJobApi } from './prowjob-api';

/**
 * Keeps an abort from being undone. plank moves a triggered job to pending with a merge patch computed from its
 * cache, and does not wait for its cache to catch up (unless the job has max_concurrency or a job queue); when the
 * pod it just created makes it look at the job again, it patches `state: pending` over whatever came in between.
 * An abort that lands in that window is lost: the job stays pending and its pod runs. So after each abort the
 * keeper watches the ProwJob until plank completes it (it then deletes the pod) or the window ends, and applies
 * the abort again if the job went back to triggered or pending while still carrying this abort's stamp.
 */
export class AbortKeeper {
  /** One per abort being watched: aborted when its window ends, or all at once at shutdown. */
  private readonly kept = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly deps: {
      prowJobs: ProwJobApi;
      onReapplied?: () => void;
      onError?: (err: Error, name: string) => void;
      /** How long after an abort it is watched. */
      windowMs?: number;
      /** At most this many re-applications per abort. */
      maxReapply?: number;
      /** At most this many aborts watched at once (a bulk abort of thousands must not hold thousands of watches). */
      maxKept?: number;
      /** Pause before watching again after a watch the API server ended early, or that failed. */
      rewatchDelayMs?: number;
      /** Called for an abort not watched because `maxKept` are. */
      onSkipped?: () => void;
    },
  ) {}

  /**
   * Watches `aborted` (the answer of the abort patch), whose `stampKey` annotation tells this abort apart;
   * `reapply` applies the abort again to the ProwJob as it is now.
   */
  keep(aborted: ProwJob, stampKey: string, reapply: (current: ProwJob) => Promise<ProwJob>): void {
    if (this.closed || aborted.metadata.annotations?.[stampKey] === undefined) return;
    if (this.kept.size >= (this.deps.maxKept ?? 32)) return void this.deps.onSkipped?.();
    const window = new AbortController();
    const timer = setTimeout(() => window.abort(), this.deps.windowMs ?? 30_000);
    timer.unref();
    this.kept.add(window);
    void this.watch(aborted, stampKey, reapply, window.signal)
      .catch((err: Error) => this.deps.onError?.(err, aborted.metadata.name))
      .finally(() => {
        clearTimeout(timer);
        this.kept.delete(window);
      });
  }

  /** Stops every watch (at shutdown). */
  close(): void {
    this.closed = true;
    for (const window of this.kept) window.abort();
    this.kept.clear();
  }

  private async watch(aborted: ProwJob, stampKey: string, reapply: (current: ProwJob) => Promise<ProwJob>, window: AbortSignal): Promise<void> {
    let from = aborted;
    for (let reapplies = this.deps.maxReapply ?? 3; ; reapplies--) {
      const stamp = from.metadata.annotations?.[stampKey] ?? aborted.metadata.annotations?.[stampKey];
      let undone: ProwJob | undefined;
      await observeProwJob(
        this.deps.prowJobs,
        from,
        from.metadata.resourceVersion,
        (event) => {
          const pj = event.prowJob;
          if (event.type === 'DELETED' || pj.status?.completionTime) return true; // plank completed it (or it is gone)
          if (isRunning(pj) && pj.metadata.annotations?.[stampKey] === stamp) undone = pj;
          return Boolean(undone);
        },
        window,
        this.deps.rewatchDelayMs ?? 1000,
      );
      if (!undone || window.aborted || reapplies <= 0) return;
      from = await reapply(undone);
      this.deps.onReapplied?.();
    }
  }
}

function isRunning(pj: ProwJob): boolean {
  return pj.status?.state === 'triggered' || pj.status?.state === 'pending';
}
