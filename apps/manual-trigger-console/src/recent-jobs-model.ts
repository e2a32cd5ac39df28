import type { ProwJobStatus, ProwJobSummary, TriggerAnswer } from '@ci-stack/manual-trigger-api';

/** A row of Recent jobs: the ProwJob summary the service lists and streams; `gone` once sinker deleted it. */
export type RecentJob = ProwJobSummary & { gone?: boolean };

/** `POST /prowjobs/NAME/rerun`'s answer: a trigger's, naming the ProwJob it reran. */
export type RerunAnswer = TriggerAnswer & { rerun_of?: string };

export type RerunMode = 'original' | 'latest';

/**
 * How many running jobs are followed live at once. Each stream holds a connection, and a browser opens at most six
 * HTTP/1.1 connections to one host: four leave room for the list and for abort and rerun, which would otherwise
 * wait for a stream to end.
 */
export const MAX_FOLLOWED = 4;

/** How many ProwJobs the page lists. */
export const LIST_LIMIT = 20;

const ENDED_STATES: ReadonlySet<string> = new Set(['success', 'failure', 'aborted', 'error']);

/** The colour class of each state (always shown with its word). */
export const STATE_TONES: Readonly<Record<string, string>> = { success: 'ok', pending: 'busy', triggered: 'busy', scheduling: 'busy', failure: 'bad', error: 'bad', aborted: 'idle' };

/** The newest running jobs, the ones to follow live. */
export function jobsToFollow(jobs: readonly RecentJob[], max = MAX_FOLLOWED): string[] {
  return jobs
    .filter((j) => !j.ended && !j.gone)
    .slice(0, max)
    .map((j) => j.job_name);
}

/** What a job ran on, as people say it: `tess/tessops · master · PR #42`; nothing for a periodic. */
export function refsText(job: RecentJob): string {
  const refs = job.refs as { org: string; repo: string; base_ref?: unknown; pulls?: Array<{ number?: unknown }> } | null;
  if (!refs) return '';
  const pr = refs.pulls?.[0]?.number;
  return [`${refs.org}/${refs.repo}`, typeof refs.base_ref === 'string' ? refs.base_ref : '', typeof pr === 'number' ? `PR #${pr}` : ''].filter(Boolean).join(' · ');
}

/** Only a triggered or pending ProwJob can be aborted (the service answers 409 for any other). */
export function canAbort(job: RecentJob): boolean {
  return !job.gone && (job.state === 'triggered' || job.state === 'pending');
}

/** `latest` rebuilds the job from the config, which cannot rebuild a batch job (400 RERUN_NOT_SUPPORTED). */
export function rerunModes(job: RecentJob): RerunMode[] {
  return job.type === 'batch' ? ['original'] : ['original', 'latest'];
}

/** The rerun call's path: the mode is always said, so the answer never depends on the service's default. */
export function rerunPath(jobName: string, mode: RerunMode): string {
  return `/prowjobs/${encodeURIComponent(jobName)}/rerun?mode=${mode}`;
}

/** A new list answer: a job the page already saw end keeps that state when the list read it a moment earlier. */
export function mergeList(previous: readonly RecentJob[] | undefined, fresh: readonly ProwJobSummary[]): RecentJob[] {
  const seen = new Map((previous ?? []).map((j) => [j.job_name, j]));
  return fresh.map((j) => {
    const before = seen.get(j.job_name);
    return before && (before.ended || before.gone) && !j.ended ? before : j;
  });
}

/** A streamed summary in place of its row; `deleted` marks the row gone. */
export function withSummary(jobs: readonly RecentJob[], summary: ProwJobSummary, event: 'status' | 'deleted'): RecentJob[] {
  return jobs.map((j) => (j.job_name === summary.job_name ? { ...summary, gone: event === 'deleted' } : j));
}

/** A row updated from one ProwJob's status (the abort answer, `GET /prowjobs/NAME`). */
export function withStatus(jobs: readonly RecentJob[], status: ProwJobStatus): RecentJob[] {
  return jobs.map((j) =>
    j.job_name === status.job_name
      ? {
          ...j,
          state: status.state,
          description: status.description,
          build_id: status.build_id,
          status_link: status.status_link,
          log_link: status.log_link,
          url: status.url ?? j.url,
          start_time: status.start_time,
          pending_time: status.pending_time,
          completion_time: status.completion_time,
          pod_name: status.pod_name,
          ended: ENDED_STATES.has(status.state) || status.completion_time !== null,
        }
      : j,
  );
}

/**
 * The ProwJob a rerun created, as the first row until its event stream (opened at once: it is the newest running
 * job) brings the rest of its summary. A replayed rerun (same Idempotency-Key) is already listed.
 */
export function withRerun(jobs: readonly RecentJob[], answer: RerunAnswer, old: RecentJob, limit = LIST_LIMIT): RecentJob[] {
  if (jobs.some((j) => j.job_name === answer.job_name)) return [...jobs];
  const row: RecentJob = {
    job_name: answer.job_name,
    job: answer.job,
    type: answer.type,
    state: answer.state,
    build_id: answer.build_id,
    description: null,
    status_link: answer.status_link,
    log_link: answer.log_link,
    url: answer.url ?? null,
    namespace: answer.namespace ?? null,
    start_time: null,
    pending_time: null,
    completion_time: null,
    pod_name: null,
    refs: old.refs,
    triggered_by: null,
    rerun_of: answer.rerun_of ?? old.job_name,
    ended: ENDED_STATES.has(answer.state),
  };
  return [row, ...jobs].slice(0, limit);
}
