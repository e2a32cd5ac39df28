import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Notice, Table, callApi, messageOf, readEvents, since, type Session } from '@ci-stack/console-kit';
import type { ProwJobStatus, ProwJobSummary } from '@ci-stack/manual-trigger-api';
import { JobActions, type JobActionHandlers } from './job-actions';
import { JobStreams } from './job-streams';
import { LIST_LIMIT, MAX_FOLLOWED, STATE_TONES, jobsToFollow, mergeList, refsText, withRerun, withStatus, withSummary, type RecentJob } from './recent-jobs-model';

type SetJobs = (update: (jobs: RecentJob[] | undefined) => RecentJob[] | undefined) => void;

/**
 * Keeps the newest running jobs followed live: one stream each (see JobStreams), for as long as the token stays
 * the same. A job the service will not stream gets its words as a note; one it no longer has is marked gone.
 */
function useLiveJobs(jobs: RecentJob[] | undefined, session: Session, setJobs: SetJobs): Record<string, string> {
  const [notes, setNotes] = useState<Record<string, string>>({});
  const streams = useRef<JobStreams | undefined>(undefined);
  useEffect(() => {
    const s = new JobStreams({
      read: readEvents,
      token: session.token,
      onSummary: (summary, event) => setJobs((list) => list && withSummary(list, summary, event)),
      onRefused: (name, err) => {
        const status = (err as { status?: number }).status;
        if (status === 401) session.onUnauthenticated(messageOf(err));
        if (status === 404) setJobs((list) => list?.map((j) => (j.job_name === name ? { ...j, gone: true } : j)));
        else setNotes((n) => ({ ...n, [name]: messageOf(err) }));
      },
    });
    streams.current = s;
    return () => s.close();
  }, [session.token]);
  useEffect(() => streams.current?.follow(jobsToFollow(jobs ?? [])), [jobs, session.token]);
  return notes;
}

function JobRow(props: { job: RecentJob; live: boolean; note?: string; now: number; session: Session; on: JobActionHandlers }): JSX.Element {
  const j = props.job;
  return (
    <tr data-prowjob={j.job_name} data-state={j.state} data-live={props.live ? 'true' : undefined}>
      <td>
        <span class="mono">{j.job}</span>
        <br />
        <span class="muted mono">{j.job_name}</span>
        {j.refs && <div class="hint">{refsText(j)}</div>}
        {j.rerun_of && (
          <div class="hint" data-rerun-of={j.rerun_of}>
            rerun of <span class="mono">{j.rerun_of}</span>
          </div>
        )}
      </td>
      <td>
        <span class={`state tone-${STATE_TONES[j.state] ?? 'idle'}`}>{j.state}</span>
        {j.gone && <div class="hint">deleted from the cluster</div>}
        {j.description && <div class="hint">{j.description}</div>}
        {props.note && <div class="field-error">{props.note}</div>}
      </td>
      <td>{j.start_time ? `${since(j.start_time, props.now)} ago` : '—'}</td>
      <td>{j.triggered_by ?? '—'}</td>
      <td>
        {j.status_link && <a href={j.status_link}>status</a>}
        {j.log_link && (
          <>
            {' · '}
            <a href={j.log_link}>log</a>
          </>
        )}
      </td>
      <td>
        <JobActions job={j} session={props.session} on={props.on} />
      </td>
    </tr>
  );
}

/**
 * The latest ProwJobs manual-trigger created (`GET /prowjobs`), the newest running ones followed live, with abort
 * and rerun (the service says whether the token allows them). Triggering from the form reads the list again
 * (`refresh`); nothing else does: states arrive on the streams, abort and rerun answers update their rows.
 */
export function RecentJobs(props: { session: Session; refresh: number; now: number }): JSX.Element {
  const { session } = props;
  const [jobs, setJobs] = useState<RecentJob[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    callApi<{ prowjobs: ProwJobSummary[] }>('/prowjobs', { query: { limit: LIST_LIMIT }, token: session.token, signal: abort.signal }).then(
      (res) => {
        setJobs((previous) => mergeList(previous, res.prowjobs));
        setError(undefined);
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        if ((err as { status?: number }).status === 401) session.onUnauthenticated(messageOf(err));
        setError(messageOf(err));
      },
    );
    return () => abort.abort();
  }, [session.token, props.refresh]);
  const notes = useLiveJobs(jobs, session, setJobs);
  const on: JobActionHandlers = {
    aborted: (status) => setJobs((list) => list && withStatus(list, status)),
    rerun: (answer, old) => setJobs((list) => list && withRerun(list, answer, old)),
    stale: (name) =>
      void callApi<ProwJobStatus>(`/prowjobs/${encodeURIComponent(name)}`, { token: session.token }).then(
        (status) => setJobs((list) => list && withStatus(list, status)),
        () => undefined, // the refusal already shows next to the job
      ),
  };
  const live = new Set(jobsToFollow(jobs ?? []));
  const running = (jobs ?? []).filter((j) => !j.ended && !j.gone).length;
  return (
    <section aria-labelledby="recent-title">
      <h1 id="recent-title">Recent jobs</h1>
      {error && <Notice kind="error">{error}</Notice>}
      {!jobs && !error && <p role="status">Loading…</p>}
      {jobs && jobs.length === 0 && <p>No ProwJob triggered here yet.</p>}
      {jobs && jobs.length > 0 && (
        <Table columns={['Job', 'State', 'Started', 'By', 'Links', 'Actions']} caption={running > MAX_FOLLOWED ? `The ${MAX_FOLLOWED} newest running jobs change here live; the others when the page is loaded again.` : undefined}>
          {jobs.map((j) => (
            <JobRow key={j.job_name} job={j} live={live.has(j.job_name)} note={notes[j.job_name]} now={props.now} session={session} on={on} />
          ))}
        </Table>
      )}
    </section>
  );
}
