import type { ProwJob } from '@ci-stack/prowjob-api';
import { sleep } from '@ci-stack/core';
import type { ProwJobApi, Watching } from './prowjob-api';

/**
 * Keeps an abort from being undone. plank moves a triggered job to pending with a merge patch computed from its
 * cache, and does not wait for its cache to catch up (unless the job has max_concurrency or a job queue); when the
 * pod it just created makes it look at the job again, it patches `state: pending` over whatever came in between.
 * An abort that lands in that window is lost: the job stays pending and its pod runs. So after each abort the
 * keeper watches the ProwJob until plank completes it (it then deletes the pod) or the window ends, and applies
 * the abort again if the job went back to triggered or pending while still carrying this abort's stamp.
 */
export class AbortKeeper {
  private readonly watches = new Set<Watching>();
  private readonly stopping = new AbortController();
  private keeping = 0;
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
      /** Pause before watching again after a watch the API server ended early. */
      rewatchDelayMs?: number;
      /** Called for an abort not watched because `maxKept` are. */
      onSkipped?: () => void;
    },
  ) {}

  /**
   * Watches `aborted` (the answer of the abort patch), whose `stampKey` annotation tells this abort apart;
   * `reapply` applies the abort again to the ProwJob as it is now.
   */
  keep(aborted: ProwJob, stampKey: string, reapply: Reapply): void {
    const stamp = aborted.metadata.annotations?.[stampKey];
    if (this.closed || stamp === undefined) return;
    if (this.keeping >= (this.deps.maxKept ?? 32)) return void this.deps.onSkipped?.();
    this.keeping++;
    const deadline = Date.now() + (this.deps.windowMs ?? 30_000);
    void this.watch(aborted, { key: stampKey, value: stamp, reapply }, deadline, this.deps.maxReapply ?? 3).finally(() => this.keeping--);
  }

  /** Stops every watch (at shutdown). */
  close(): void {
    this.closed = true;
    this.stopping.abort();
    for (const w of this.watches) w.stop();
    this.watches.clear();
  }

  private async watch(from: ProwJob, stamp: Stamp, deadline: number, reapplies: number): Promise<void> {
    if (this.closed) return;
    const name = from.metadata.name;
    const ours = (pj: ProwJob): boolean => pj.metadata.annotations?.[stamp.key] === stamp.value;
    let undone: ProwJob | undefined;
    let settled = false;
    const watching = this.deps.prowJobs.watch(name, from.metadata.resourceVersion, (event) => {
      if (settled) return;
      if (event.type === 'DELETED' || event.prowJob.status?.completionTime) settled = true;
      else if (isRunning(event.prowJob) && ours(event.prowJob)) undone = event.prowJob;
      if (settled || undone) watching.stop();
    });
    this.watches.add(watching);
    const timer = setTimeout(() => watching.stop(), Math.max(0, deadline - Date.now()));
    timer.unref();
    await watching.ended;
    clearTimeout(timer);
    this.watches.delete(watching);
    if (this.closed || settled || Date.now() >= deadline) return;
    try {
      // Undone, or the watch ended early (closed by the API server, or failed): decide from the job as it is now.
      const current = undone ?? (await this.deps.prowJobs.get(name));
      if (current.status?.completionTime) return;
      if (isRunning(current) && ours(current)) {
        if (reapplies <= 0) return;
        const again = await stamp.reapply(current);
        this.deps.onReapplied?.();
        return this.watch(again, { ...stamp, value: again.metadata.annotations?.[stamp.key] ?? stamp.value }, deadline, reapplies - 1);
      }
      // The watch ended on its own: pause, or a server that ends every watch at once would be asked again and again.
      await sleep(this.deps.rewatchDelayMs ?? 1000, this.stopping.signal);
      return this.watch(current, stamp, deadline, reapplies);
    } catch (err) {
      this.deps.onError?.(err as Error, name);
    }
  }
}

type Reapply = (current: ProwJob) => Promise<ProwJob>;

interface Stamp {
  key: string;
  value: string;
  reapply: Reapply;
}

function isRunning(pj: ProwJob): boolean {
  return pj.status?.state === 'triggered' || pj.status?.state === 'pending';
}
