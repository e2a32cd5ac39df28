import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Field, Notice, callApi, describedBy, fieldOf, messageOf, type Session } from '@ci-stack/console-kit';
import { branchAllowed, branchRule, defaultBranch, type JobSummary } from './catalog-model';

import type { TriggerAnswer } from '@ci-stack/manual-trigger-api';

interface Values {
  prowtype: string;
  org: string;
  repo: string;
  prowjob: string;
  base_ref: string;
  pullrequest: string;
  user: string;
  env: Record<string, string>;
}

/** Which field the service's message is about (its words: see docs/manual-trigger.md). */
const ERROR_FIELDS: Record<string, RegExp> = {
  pullrequest: /pull ?request/i,
  base_ref: /\bbranch\b|base_ref/,
  prowtype: /prowtype/,
  env: /\benv\b/,
  prowjob: /^Job \S+ not found|prowjob/,
  org: /'org'/,
  repo: /'repo'/,
  user: /'user'/,
};

function initial(job: JobSummary | undefined): Values {
  return { prowtype: job?.type ?? 'postsubmit', org: job?.org ?? '', repo: job?.repo ?? '', prowjob: job?.name ?? '', base_ref: job ? defaultBranch(job) : 'master', pullrequest: '', user: '', env: {} };
}

function body(v: Values, dryRun: boolean): Record<string, unknown> {
  const env = Object.fromEntries(Object.entries(v.env).filter(([, value]) => value !== ''));
  const out: Record<string, unknown> = { prowtype: v.prowtype, prowjob: v.prowjob, user: v.user || undefined, dry_run: dryRun || undefined };
  if (v.prowtype !== 'periodic') Object.assign(out, { org: v.org, repo: v.repo, base_ref: v.base_ref });
  if (v.prowtype === 'presubmit' && v.pullrequest !== '') out.pullrequest = v.pullrequest;
  if (Object.keys(env).length) out.env = env;
  return out;
}

/** The answer: state, build id, status and log links, and for a dry run the ProwJob that would be created. */
function AnswerPanel(props: { answer: TriggerAnswer }): JSX.Element {
  const a = props.answer;
  return (
    <div class="panel" data-answer={a.dry_run ? 'dry-run' : 'created'} role="status">
      <h2>{a.message}</h2>
      <dl class="details">
        <dt>ProwJob</dt>
        <dd class="mono">{a.job_name}</dd>
        <dt>State</dt>
        <dd>{a.state}</dd>
        <dt>Build</dt>
        <dd>{a.build_id ?? '— (not assigned yet)'}</dd>
        {a.status_link && (
          <>
            <dt>Status</dt>
            <dd>
              <a href={a.status_link}>{a.status_link}</a>
            </dd>
          </>
        )}
        {a.log_link && (
          <>
            <dt>Log</dt>
            <dd>
              <a href={a.log_link}>{a.log_link}</a>
            </dd>
          </>
        )}
      </dl>
      {a.prowjob !== undefined && (
        <>
          <h3>ProwJob preview</h3>
          <pre data-preview tabIndex={0}>{JSON.stringify(a.prowjob, null, 2)}</pre>
        </>
      )}
    </div>
  );
}

/** The job's fields: type, name, repository, branch (with its filters), PR number for presubmits, user. */
function TriggerFields(props: { job: JobSummary | undefined; values: Values; edit: (patch: Partial<Values>) => void; err: (field: string) => string | undefined }): JSX.Element {
  const { job, values, edit, err } = props;
  const branchHint = job ? `${branchRule(job)}${job.type !== 'periodic' && values.base_ref && !branchAllowed(job, values.base_ref) ? ' — this branch does not match' : ''}` : undefined;
  const input = (name: keyof Omit<Values, 'env'>, label: string, hint?: string, extra: Record<string, unknown> = {}): JSX.Element => (
    <Field id={`f-${name}`} label={label} hint={hint} error={err(name)}>
      <input id={`f-${name}`} name={name} value={values[name]} onInput={(e) => edit({ [name]: e.currentTarget.value })} aria-invalid={err(name) ? 'true' : undefined} aria-describedby={describedBy(`f-${name}`, Boolean(hint), err(name))} {...extra} />
    </Field>
  );
  return (
    <div class="form-grid">
      <Field id="f-prowtype" label="Type" error={err('prowtype')}>
        <select id="f-prowtype" name="prowtype" value={values.prowtype} onChange={(e) => edit({ prowtype: e.currentTarget.value })}>
          <option value="presubmit">presubmit</option>
          <option value="postsubmit">postsubmit</option>
          <option value="periodic">periodic</option>
        </select>
      </Field>
      {input('prowjob', 'Job')}
      {values.prowtype !== 'periodic' && input('org', 'Org')}
      {values.prowtype !== 'periodic' && input('repo', 'Repo')}
      {values.prowtype !== 'periodic' && input('base_ref', 'Base branch (base_ref)', branchHint)}
      {values.prowtype === 'presubmit' && input('pullrequest', 'Pull request number', 'Needed for presubmits', { inputMode: 'numeric', 'aria-required': 'true' })}
      {input('user', 'User', 'Default: your token identity')}
    </div>
  );
}

/**
 * The trigger form. A preview sends `dry_run`; a trigger carries an Idempotency-Key made once per filled form, so a
 * second click or a retry after a lost answer returns the same ProwJob instead of creating another.
 */
export function TriggerForm(props: { job: JobSummary | undefined; allowedEnv: string[]; session: Session; onTriggered: () => void }): JSX.Element {
  const [values, setValues] = useState<Values>(() => initial(props.job));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [answer, setAnswer] = useState<TriggerAnswer>();
  const [key, setKey] = useState(() => crypto.randomUUID());
  useEffect(() => {
    setValues(initial(props.job));
    setAnswer(undefined);
    setError(undefined);
  }, [props.job]);
  const edit = (patch: Partial<Values>): void => {
    setValues({ ...values, ...patch });
    setKey(crypto.randomUUID()); // new values: a new trigger
  };
  const send = async (dryRun: boolean): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setAnswer(undefined);
    try {
      const res = await callApi<TriggerAnswer>('/manual-trigger', { method: 'POST', body: body(values, dryRun), token: props.session.token, headers: dryRun ? {} : { 'idempotency-key': key } });
      setAnswer(res);
      if (!dryRun) props.onTriggered();
    } catch (err) {
      const message = messageOf(err);
      if ((err as { status?: number }).status === 401) props.session.onUnauthenticated(message);
      setError({ field: fieldOf(message, ERROR_FIELDS), message });
    } finally {
      setBusy(false);
    }
  };
  const err = (f: string): string | undefined => (error?.field === f ? error.message : undefined);
  const job = props.job;
  return (
    <section aria-labelledby="trigger-title">
      <h1 id="trigger-title">Trigger {job ? <span class="mono">{job.name}</span> : 'a job'}</h1>
      {!job && <p class="muted">Pick a job in the catalog, or fill the form by hand.</p>}
      <form class="panel" onSubmit={(e) => (e.preventDefault(), void send(false))} noValidate>
        <TriggerFields job={job} values={values} edit={edit} err={err} />
        {props.allowedEnv.length > 0 && (
          <fieldset class="env">
            <legend>Environment overrides (allowed by the operator)</legend>
            <div class="form-grid">
              {props.allowedEnv.map((name) => (
                <Field key={name} id={`f-env-${name}`} label={name}>
                  <input id={`f-env-${name}`} value={values.env[name] ?? ''} onInput={(e) => edit({ env: { ...values.env, [name]: e.currentTarget.value } })} />
                </Field>
              ))}
            </div>
            {err('env') && (
              <p class="field-error" role="alert">
                {err('env')}
              </p>
            )}
          </fieldset>
        )}
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void send(true)}>
            Preview (dry run)
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Trigger'}
          </button>
        </div>
        {error && !error.field && <Notice kind="error">{error.message}</Notice>}
      </form>
      {answer && <AnswerPanel answer={answer} />}
    </section>
  );
}
