import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConfirmDialog, Notice, callApi, messageOf, readEvents, since, type Session } from '@ci-stack/console-kit';

import type { ProwJobSummary } from '@ci-stack/manual-trigger-api';

/** Jobs still running are followed live; a few streams at once is plenty for a page of recent jobs. */
const MAX_FOLLOWED = 10;

const TONES: Record<string, string> = { success: 'ok', pending: 'busy', triggered: 'busy', scheduling: 'busy', failure: 'bad', error: 'bad', aborted: 'idle' };

/** Follows each running job's event stream and reports its new summaries; stops when the job has ended. */
function useFollow(jobs: ProwJobSummary[], token: string | undefined, update: (s: ProwJobSummary) => void): void {
  const running = jobs
    .filter((j) => !j.ended)
    .slice(0, MAX_FOLLOWED)
    .map((j) => j.job_name);
  const key = running.join(',');
  useEffect(() => {
    const abort = new AbortController();
    for (const name of running) {
      let lastId: string | undefined;
      const follow = async (): Promise<void> => {
        for (let attempt = 0; attempt < 5 && !abort.signal.aborted; attempt++) {
          try {
            await readEvents(`/prowjobs/${encodeURIComponent(name)}/events`, {
              token,
              lastEventId: lastId,
              signal: abort.signal,
              onEvent: (e) => {
                lastId = e.id ?? lastId;
                if (e.event === 'status' || e.event === 'deleted') update(JSON.parse(e.data) as ProwJobSummary);
              },
            });
            return; // the service ended the stream: the job has ended
          } catch {
            await new Promise((r) => setTimeout(r, 2000));
          }
        }
      };
      void follow();
    }
    return () => abort.abort();
  }, [key, token]);
}

/** One job's abort and rerun; each asks first and shows the service's answer or refusal. */
function JobActions(props: { job: ProwJobSummary; session: Session; onDone: () => void }): JSX.Element | null {
  const [confirm, setConfirm] = useState<'abort' | 'rerun'>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  if (props.session.auth && !props.session.token) return null;
  const run = async (verb: 'abort' | 'rerun'): Promise<void> => {
    setConfirm(undefined);
    if (busy) return;
    setBusy(true);
    try {
      const res = await callApi<{ message: string }>(`/prowjobs/${encodeURIComponent(props.job.job_name)}/${verb}`, { method: 'POST', body: {}, token: props.session.token, headers: verb === 'rerun' ? { 'idempotency-key': `rerun-${props.job.job_name}-${Date.now()}` } : {} });
      setResult({ ok: true, text: res.message });
      props.onDone();
    } catch (err) {
      if ((err as { status?: number }).status === 401) props.session.onUnauthenticated(messageOf(err));
      setResult({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="actions">
        {!props.job.ended && (
          <button type="button" class="danger" disabled={busy} onClick={() => setConfirm('abort')} aria-label={`Abort ${props.job.job_name}`}>
            Abort
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => setConfirm('rerun')} aria-label={`Rerun ${props.job.job_name}`}>
          Rerun
        </button>
      </div>
      {result && (
        <p class={result.ok ? 'hint' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
      {confirm && (
        <ConfirmDialog title={confirm === 'abort' ? `Abort ${props.job.job} (${props.job.job_name})?` : `Run ${props.job.job} again?`} confirmLabel={confirm === 'abort' ? 'Abort' : 'Rerun'} onConfirm={() => void run(confirm)} onCancel={() => setConfirm(undefined)}>
          <p>{confirm === 'abort' ? 'Its pod is stopped; this cannot be undone.' : 'A new ProwJob is created from the same refs.'}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** The latest ProwJobs manual-trigger created, updated live, with abort and rerun where the token allows them. */
export function RecentJobs(props: { session: Session; refresh: number; now: number }): JSX.Element {
  const [jobs, setJobs] = useState<ProwJobSummary[]>();
  const [error, setError] = useState<string>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    callApi<{ prowjobs: ProwJobSummary[] }>('/prowjobs', { query: { limit: 20 }, token: props.session.token, signal: abort.signal }).then(
      (res) => {
        setJobs(res.prowjobs);
        setError(undefined);
      },
      (err: unknown) => !abort.signal.aborted && setError(messageOf(err)),
    );
    return () => abort.abort();
  }, [props.session.token, props.refresh, reload]);
  useFollow(jobs ?? [], props.session.token, (s) => setJobs((list) => list?.map((j) => (j.job_name === s.job_name ? s : j))));
  return (
    <section aria-labelledby="recent-title">
      <h1 id="recent-title">Recent jobs</h1>
      {error && <Notice kind="error">{error}</Notice>}
      {!jobs && !error && <p role="status">Loading…</p>}
      {jobs && jobs.length === 0 && <p>No ProwJob triggered here yet.</p>}
      {jobs && jobs.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col">By</th>
                <th scope="col">Links</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.job_name} data-prowjob={j.job_name} data-state={j.state}>
                  <td>
                    <span class="mono">{j.job}</span>
                    <br />
                    <span class="muted mono">{j.job_name}</span>
                  </td>
                  <td>
                    <span class={`state tone-${TONES[j.state] ?? 'idle'}`}>{j.state}</span>
                    {j.description && <div class="hint">{j.description}</div>}
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
                    <JobActions job={j} session={props.session} onDone={() => setReload((n) => n + 1)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
