import { formatTime, type ProwJob } from '@ci-stack/prowjob-api';
import { DomainError, type Clock } from '@ci-stack/core';
import { Annotations } from './build-prowjob';
import { DryRunError, ProwJobEndedError, ProwJobNotAbortableError } from './errors';
import type { TriggerMetrics } from './metrics';
import { AbortKeeper } from './abort-keeper';
import type { ProwJobApi } from './prowjob-api';
import type { ProwJobLister } from './prowjob-list';
import type { ListFilters } from './requests/list-request';
import { hasEnded } from './views';

/** Who asks, and why. */
export interface AbortCaller {
  identity: string;
  reason?: string;
}

/** One ProwJob in a bulk abort's answer. */
export interface AbortedItem {
  job_name: string;
  job: string;
  type: string;
  /** The state it had when it was aborted (or, in a dry run, has now). */
  state: string;
}

export interface SkippedItem extends AbortedItem {
  code: string;
  reason: string;
}

export interface BulkCaller extends AbortCaller {
  dryRun: boolean;
  /** ProwJobs the caller may not read are left out of the answer altogether. */
  visible: (prowJob: ProwJob) => boolean;
}

export interface BulkAbortResult {
  aborted: AbortedItem[];
  skipped: SkippedItem[];
}

const ABORTABLE = ['triggered', 'pending'];
const ATTEMPTS = 3;
const BULK_CONCURRENCY = 8;

/**
 * Aborts ProwJobs the way Deck's abort button does: only a triggered or pending job moves to `aborted`, with a
 * description saying who aborted it; plank then deletes its pod and sets the completion time (plank ignores jobs
 * that already have one, so setting it here would leave the pod running). Each change is a merge patch guarded by
 * the resourceVersion we read, so it never overwrites a change plank made meanwhile: on a conflict we read again
 * and decide again. plank itself can overwrite a fresh abort with a stale patch; each abort is watched for that
 * and applied again ({@link AbortKeeper}).
 */
export class ProwJobAborter {
  private readonly keeper?: AbortKeeper;

  constructor(
    private readonly deps: {
      prowJobs?: ProwJobApi;
      clock: Clock;
      metrics: TriggerMetrics;
      lister: ProwJobLister;
      /** How long each abort is watched for plank undoing it (see {@link AbortKeeper}). */
      keepAbortsMs?: number;
      onKeepError?: (err: Error, name: string) => void;
    },
  ) {
    if (deps.prowJobs) {
      this.keeper = new AbortKeeper({ prowJobs: deps.prowJobs, windowMs: deps.keepAbortsMs, onReapplied: () => deps.metrics.abortsReapplied.inc(), onError: deps.onKeepError });
    }
  }

  /** Stops watching recent aborts (at shutdown). */
  close(): void {
    this.keeper?.close();
  }

  /** Aborts one ProwJob as read in `current`; 409 PROWJOB_ENDED if it has ended (also if it ends meanwhile). */
  async abort(current: ProwJob, caller: AbortCaller): Promise<ProwJob> {
    const aborted = await this.abortGuarded(current, caller);
    this.deps.metrics.aborted.inc({ via: 'single' });
    return aborted;
  }

  /**
   * Aborts (or, in a dry run, lists) every ProwJob the filters select that has not ended and the caller may see,
   * newest first. `denial` says why the caller may not abort one (it is then skipped).
   */
  async abortMatching(filters: ListFilters, denial: (prowJob: ProwJob) => string | undefined, caller: BulkCaller): Promise<BulkAbortResult> {
    const items = await this.deps.lister.matching(filters, (pj) => !hasEnded(pj) && caller.visible(pj));
    const outcomes = await mapLimited(items, BULK_CONCURRENCY, (pj) => this.one(pj, denial, caller));
    const result: BulkAbortResult = { aborted: [], skipped: [] };
    for (const o of outcomes) {
      if ('code' in o) result.skipped.push(o);
      else result.aborted.push(o);
    }
    if (!caller.dryRun) this.deps.metrics.aborted.inc({ via: 'bulk' }, result.aborted.length);
    return result;
  }

  private async one(pj: ProwJob, denial: (prowJob: ProwJob) => string | undefined, caller: BulkCaller): Promise<AbortedItem | SkippedItem> {
    const item: AbortedItem = { job_name: pj.metadata.name, job: pj.spec.job, type: pj.spec.type, state: pj.status?.state ?? 'triggered' };
    const forbidden = denial(pj);
    if (forbidden) return { ...item, code: 'FORBIDDEN', reason: forbidden };
    if (!ABORTABLE.includes(item.state)) return { ...item, code: 'PROWJOB_NOT_ABORTABLE', reason: new ProwJobNotAbortableError(pj.metadata.name, item.state).message };
    if (caller.dryRun) return item;
    try {
      await this.abortGuarded(pj, caller);
      return item;
    } catch (err) {
      if (err instanceof DomainError) return { ...item, code: err.code, reason: err.message };
      throw err;
    }
  }

  private async abortGuarded(current: ProwJob, caller: AbortCaller, keep = true): Promise<ProwJob> {
    const api = this.deps.prowJobs;
    if (!api) throw new DryRunError('Aborting ProwJobs');
    let pj = current;
    for (let attempt = 1; ; attempt++) {
      const state = pj.status?.state ?? 'triggered';
      if (hasEnded(pj)) throw new ProwJobEndedError(pj.metadata.name, state);
      if (!ABORTABLE.includes(state)) throw new ProwJobNotAbortableError(pj.metadata.name, state);
      try {
        const aborted = await api.patch(pj.metadata.name, { type: 'merge', patch: this.abortPatch(pj, caller), resourceVersion: pj.metadata.resourceVersion ?? '' });
        if (keep) this.keeper?.keep(aborted, Annotations.abortedAt, (current) => this.abortGuarded(current, caller, false));
        return aborted;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'KUBE_CONFLICT') || attempt >= ATTEMPTS) throw err;
        pj = await api.get(pj.metadata.name);
      }
    }
  }

  private abortPatch(pj: ProwJob, caller: AbortCaller): Record<string, unknown> {
    const who = caller.identity === 'anonymous' ? '' : caller.identity;
    // Deck's wording, so the description reads the same whichever tool aborted the job.
    const description = `${who ? `${who} successfully aborted` : 'Successfully aborted'} ${pj.metadata.name}.${caller.reason ? ` Reason: ${caller.reason}` : ''}`;
    const annotations: Record<string, string> = { [Annotations.abortedBy]: caller.identity, [Annotations.abortedAt]: formatTime(this.deps.clock.now()) };
    if (caller.reason) annotations[Annotations.abortReason] = caller.reason;
    return { metadata: { annotations }, status: { state: 'aborted', description } };
  }
}

/** Runs `fn` over the items with at most `limit` at a time; results in item order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
