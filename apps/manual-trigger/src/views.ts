import type { LoadedProwConfig } from '@ci-stack/prow-config';
import type { ProwJob, ProwJobState, Refs } from '@ci-stack/prowjob-api';
import { Annotations } from './build-prowjob';
import { deckBase, linksFor } from './links';

/** The answer of a trigger (and of a rerun): the original fields first, then what we add. */
export interface TriggerResponse {
  success: true;
  message: string;
  job_name: string;
  status_link: string | null;
  log_link: string | null;
  build_id: string | null;
  state: string;
  type: string;
  job: string;
  namespace?: string;
  url?: string;
  dry_run?: boolean;
  idempotent_replay?: boolean;
  rerun_of?: string;
  prowjob?: ProwJob;
}

/**
 * One ProwJob as the list and the event stream show it: a stable shape (documented in docs/manual-trigger.md) that
 * clients may rely on. Absent values are null, never missing.
 */
export interface ProwJobSummary {
  job_name: string;
  job: string;
  type: string;
  state: string;
  build_id: string | null;
  description: string | null;
  status_link: string | null;
  log_link: string | null;
  url: string | null;
  namespace: string | null;
  start_time: string | null;
  pending_time: string | null;
  completion_time: string | null;
  pod_name: string | null;
  refs: Refs | null;
  triggered_by: string | null;
  rerun_of: string | null;
  /** True once the state is final (success, failure, aborted, error). */
  ended: boolean;
}

export const ENDED_STATES: readonly ProwJobState[] = ['success', 'failure', 'aborted', 'error'];

/** Whether the ProwJob has finished: a final state, or a completion time. */
export function hasEnded(prowJob: ProwJob): boolean {
  return ENDED_STATES.includes(prowJob.status?.state) || Boolean(prowJob.status?.completionTime);
}

/** Renders ProwJobs for clients: trigger answers, `GET /prowjobs/NAME`, list items and events. */
export class ProwJobViews {
  constructor(private readonly deps: { config: () => LoadedProwConfig; deckUrl?: string; namespace?: string }) {}

  /** The trigger answer (kept exactly as it was before lists and events existed). */
  reply(prowJob: ProwJob, message: string): TriggerResponse {
    const out: TriggerResponse = {
      success: true,
      message,
      job_name: prowJob.metadata.name,
      ...this.links(prowJob),
      build_id: prowJob.status?.build_id ?? null,
      state: prowJob.status?.state ?? 'triggered',
      type: prowJob.spec.type,
      job: prowJob.spec.job,
    };
    if (this.deps.namespace) out.namespace = this.deps.namespace;
    if (prowJob.status?.url) out.url = prowJob.status.url;
    return out;
  }

  /** The `GET /prowjobs/NAME` answer. */
  status(prowJob: ProwJob): Record<string, unknown> {
    const s = prowJob.status ?? {};
    return {
      ...this.reply(prowJob, `ProwJob is ${prowJob.status?.state ?? 'triggered'}`),
      description: s.description ?? null,
      start_time: s.startTime ?? null,
      pending_time: s.pendingTime ?? null,
      completion_time: s.completionTime ?? null,
      pod_name: s.pod_name ?? null,
    };
  }

  summary(prowJob: ProwJob): ProwJobSummary {
    const s: Partial<ProwJob['status']> = prowJob.status ?? {};
    const annotations = prowJob.metadata.annotations ?? {};
    const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
    return {
      job_name: prowJob.metadata.name,
      job: prowJob.spec.job,
      type: prowJob.spec.type,
      state: s.state ?? 'triggered',
      build_id: orNull(s.build_id),
      description: orNull(s.description),
      ...this.links(prowJob),
      url: orNull(s.url),
      namespace: orNull(prowJob.metadata.namespace ?? this.deps.namespace),
      start_time: orNull(s.startTime),
      pending_time: orNull(s.pendingTime),
      completion_time: orNull(s.completionTime),
      pod_name: orNull(s.pod_name),
      refs: orNull(prowJob.spec.refs),
      triggered_by: orNull(annotations[Annotations.triggeredBy]),
      rerun_of: orNull(annotations[Annotations.rerunOf]),
      ended: hasEnded(prowJob),
    };
  }

  private links(prowJob: ProwJob): { status_link: string | null; log_link: string | null } {
    return linksFor(deckBase(this.deps.deckUrl, this.deps.config().config), prowJob);
  }
}
