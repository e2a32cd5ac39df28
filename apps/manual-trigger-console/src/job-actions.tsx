import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ConfirmDialog, callApi, messageOf, type Session } from '@ci-stack/console-kit';
import type { ProwJobStatus } from '@ci-stack/manual-trigger-api';
import { canAbort, rerunModes, rerunPath, type RecentJob, type RerunAnswer, type RerunMode } from './recent-jobs-model';

/** What Recent jobs does with the answers of a job's actions. */
export interface JobActionHandlers {
  aborted: (status: ProwJobStatus) => void;
  rerun: (answer: RerunAnswer, old: RecentJob) => void;
  /** The service says the row is out of date (409: the job ended meanwhile): read it again. */
  stale: (jobName: string) => void;
}

const MODE_WORDS: Record<RerunMode, string> = {
  original: 'the same spec as this run (original)',
  latest: 'the job as the config defines it now, same refs (latest)',
};

/**
 * The Idempotency-Key of a rerun: one per intent. It is kept until the service has answered (created, or refused
 * in words), so sending again after a lost answer or a 5xx returns the ProwJob the first call may have created.
 */
function useRerunKey(): { key: (mode: RerunMode) => string; answered: () => void } {
  const current = useRef<{ mode: RerunMode; key: string } | undefined>(undefined);
  return {
    key: (mode) => {
      if (current.current?.mode !== mode) current.current = { mode, key: crypto.randomUUID() };
      return current.current.key;
    },
    answered: () => (current.current = undefined),
  };
}

function AbortAsk(props: { job: RecentJob; reason: string; setReason: (r: string) => void }): JSX.Element {
  return (
    <>
      <p>Plank deletes its pod. This cannot be undone.</p>
      <div class="field">
        <label for="abort-reason">Reason (recorded on the ProwJob)</label>
        <input id="abort-reason" value={props.reason} maxLength={1024} onInput={(e) => props.setReason(e.currentTarget.value)} />
      </div>
    </>
  );
}

function RerunAsk(props: { job: RecentJob; mode: RerunMode; setMode: (m: RerunMode) => void }): JSX.Element {
  return (
    <>
      <p>A new ProwJob runs {props.job.job} again.</p>
      <fieldset class="choices">
        <legend>Run it from</legend>
        {rerunModes(props.job).map((m) => (
          <label key={m}>
            <input type="radio" name="rerun-mode" value={m} checked={props.mode === m} onChange={() => props.setMode(m)} /> {MODE_WORDS[m]}
          </label>
        ))}
      </fieldset>
    </>
  );
}

/** The service's answer to an action, or its refusal in its own words. */
function ActionResult(props: { ok: boolean; text: string }): JSX.Element {
  return (
    <p class={props.ok ? 'hint' : 'field-error'} role={props.ok ? 'status' : 'alert'} data-action-result={props.ok ? 'ok' : 'refused'}>
      {props.text}
    </p>
  );
}

/**
 * One job's abort and rerun. Each asks first, sends once however often it is clicked, and shows the service's answer
 * or refusal (a 403 names what the token may not do) next to the job.
 */
export function JobActions(props: { job: RecentJob; session: Session; on: JobActionHandlers }): JSX.Element | null {
  const { job, session, on } = props;
  const [asking, setAsking] = useState<'abort' | 'rerun'>();
  const [mode, setMode] = useState<RerunMode>('original');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const inFlight = useRef(false);
  const rerunKey = useRerunKey();
  if ((session.auth && !session.token) || job.gone) return null;

  const call = async (verb: 'abort' | 'rerun'): Promise<void> => {
    const path = `/prowjobs/${encodeURIComponent(job.job_name)}`;
    if (verb === 'abort') {
      const res = await callApi<ProwJobStatus>(`${path}/abort`, { method: 'POST', body: reason.trim() ? { reason: reason.trim() } : {}, token: session.token });
      setResult({ ok: true, text: res.message });
      on.aborted(res);
      return;
    }
    const res = await callApi<RerunAnswer>(rerunPath(job.job_name, mode), { method: 'POST', body: {}, token: session.token, headers: { 'idempotency-key': rerunKey.key(mode) } });
    rerunKey.answered();
    setResult({ ok: true, text: `${res.message}: ${res.job_name}` });
    on.rerun(res, job);
  };
  const send = async (verb: 'abort' | 'rerun'): Promise<void> => {
    setAsking(undefined);
    if (inFlight.current) return; // a second click on the confirmation sends nothing
    inFlight.current = true;
    setBusy(true);
    setResult(undefined);
    try {
      await call(verb);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (status >= 400 && status < 500) rerunKey.answered();
      if (status === 401) session.onUnauthenticated(messageOf(err));
      if (status === 409) on.stale(job.job_name);
      setResult({ ok: false, text: messageOf(err) });
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  return (
    <>
      <div class="actions">
        {canAbort(job) && (
          <button type="button" class="danger" disabled={busy} onClick={() => setAsking('abort')} aria-label={`Abort ${job.job_name}`}>
            Abort
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => setAsking('rerun')} aria-label={`Rerun ${job.job_name}`}>
          Rerun
        </button>
      </div>
      {result && <ActionResult {...result} />}
      {asking === 'abort' && (
        <ConfirmDialog title={`Abort ${job.job} (${job.job_name})?`} confirmLabel="Abort" onConfirm={() => void send('abort')} onCancel={() => setAsking(undefined)}>
          <AbortAsk job={job} reason={reason} setReason={setReason} />
        </ConfirmDialog>
      )}
      {asking === 'rerun' && (
        <ConfirmDialog title={`Run ${job.job} again?`} confirmLabel="Rerun" onConfirm={() => void send('rerun')} onCancel={() => setAsking(undefined)}>
          <RerunAsk job={job} mode={mode} setMode={setMode} />
        </ConfirmDialog>
      )}
    </>
  );
}
