import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Field, Notice, describedBy, fieldOf, messageOf, type Session } from '@ci-stack/console-kit';
import { poolCall, type PoolCall } from './pool-api';

interface FormSpec {
  call: PoolCall;
  title: string;
  submit: string;
  fields: { name: string; label: string; hint?: string }[];
  /** Which field a refusal is about, by the words of the service's message. */
  errorFields: Record<string, RegExp>;
}

const ADD: FormSpec = {
  call: 'addcluster',
  title: 'Add a cluster',
  submit: 'Add cluster',
  fields: [
    { name: 'cluster', label: 'Cluster name', hint: 'A DNS label: lower case letters, digits and -' },
    { name: 'region', label: 'Region' },
    { name: 'labels', label: 'Labels', hint: 'Optional: key=value,key2=value2' },
    { name: 'name', label: 'Added by', hint: 'Optional: your name (default: the token identity)' },
  ],
  errorFields: { cluster: /\bcluster\b/i, region: /\bregion\b/i, labels: /\blabels?\b/i },
};

const CREATE: FormSpec = {
  call: 'createcluster',
  title: 'Create a cluster',
  submit: 'Create cluster',
  fields: [
    { name: 'cluster', label: 'Cluster name', hint: 'Optional: record it as provisioning and follow its creation job' },
    { name: 'region', label: 'Region', hint: 'Needed with a cluster name' },
    { name: 'labels', label: 'Labels', hint: 'Optional: key=value,key2=value2' },
    { name: 'branch', label: 'Branch of the creation job', hint: 'Default: master' },
    { name: 'user', label: 'User', hint: 'Default: the token identity' },
  ],
  errorFields: { cluster: /\bcluster=|\bcluster name\b|^cluster\b/i, region: /\bregion\b/i, labels: /\blabels?\b/i, branch: /\bbranch\b/i },
};

/** One admin form: sent once per click (disabled while on its way), the service's refusal next to its field. */
function AdminForm(props: { spec: FormSpec; session: Session }): JSX.Element {
  const { spec } = props;
  const empty = Object.fromEntries(spec.fields.map((f) => [f.name, '']));
  const [values, setValues] = useState<Record<string, string>>(empty);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ field?: string; message: string }>();
  const [answer, setAnswer] = useState<string>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors(undefined);
    setAnswer(undefined);
    try {
      const res = await poolCall(spec.call, values, props.session.token);
      setAnswer(res.message);
      setValues(empty);
    } catch (err) {
      const message = messageOf(err);
      if ((err as { status?: number }).status === 401) props.session.onUnauthenticated(message);
      setErrors({ field: fieldOf(message, spec.errorFields), message });
    } finally {
      setBusy(false);
    }
  };
  const id = (f: string): string => `${spec.call}-${f}`;
  return (
    <form class="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`${spec.call}-title`} noValidate>
      <h2 id={`${spec.call}-title`}>{spec.title}</h2>
      <div class="form-grid">
        {spec.fields.map((f) => {
          const error = errors?.field === f.name ? errors.message : undefined;
          return (
            <Field key={f.name} id={id(f.name)} label={f.label} hint={f.hint} error={error}>
              <input id={id(f.name)} name={f.name} value={values[f.name]} onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id(f.name), Boolean(f.hint), error)} />
            </Field>
          );
        })}
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Sending…' : spec.submit}
        </button>
      </div>
      {errors && !errors.field && <Notice kind="error">{errors.message}</Notice>}
      {answer && <Notice kind="ok">{answer}</Notice>}
    </form>
  );
}

/** Adding and creating clusters; the rest of the admin actions sit on each cluster. */
export function AdminPage(props: { session: Session }): JSX.Element {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Admin</h1>
      {props.session.auth && !props.session.token && <Notice kind="error">These calls need an admin token: enter it at the top of the page.</Notice>}
      <AdminForm spec={ADD} session={props.session} />
      <AdminForm spec={CREATE} session={props.session} />
    </section>
  );
}
