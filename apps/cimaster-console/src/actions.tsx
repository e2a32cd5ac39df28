import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ConfirmDialog, messageOf, type Session } from '@ci-stack/console-kit';
import { poolCall, type PoolCall } from './pool-api';
import type { ClusterView } from './pool-model';

interface Pending {
  call: PoolCall;
  title: string;
  confirm: string;
  /** Extra input asked for in the dialog (a reason, hours). */
  ask?: { label: string; field: string; type: 'text' | 'number' };
}

/** The actions the pool's state machine allows in the cluster's state; destructive ones ask first. */
function actionsFor(c: ClusterView): Pending[] {
  const out: Pending[] = [];
  if (c.state === 'testing') out.push({ call: 'holdcluster', title: `Hold ${c.name}?`, confirm: 'Hold', ask: { label: 'Hours (empty: the default hold)', field: 'hours', type: 'number' } });
  if (c.state === 'held') out.push({ call: 'releasecluster', title: `Release ${c.name}? Its holder loses it.`, confirm: 'Release' });
  if (c.state === 'disabled' || c.state === 'quarantined') out.push({ call: 'enablecluster', title: `Enable ${c.name}? It goes back into the pool as it is.`, confirm: 'Enable' });
  if (c.state === 'finished') out.push({ call: 'disablecluster', title: `Disable ${c.name}? No build will get it until it is enabled.`, confirm: 'Disable', ask: { label: 'Reason', field: 'reason', type: 'text' } });
  if (c.state === 'finished' || c.state === 'failed' || c.state === 'quarantined') out.push({ call: 'deletecluster', title: `Delete ${c.name} from the pool? This cannot be undone.`, confirm: 'Delete' });
  return out;
}

const LABELS: Record<string, string> = { holdcluster: 'Hold', releasecluster: 'Release', enablecluster: 'Enable', disablecluster: 'Disable', deletecluster: 'Delete' };

/**
 * A cluster's admin buttons. Each asks first, sends once (the buttons are disabled while a call is on its way) and
 * shows the service's answer or refusal in its own words.
 */
export function ClusterActions(props: { cluster: ClusterView; session: Session }): JSX.Element | null {
  const [pending, setPending] = useState<Pending>();
  const [extra, setExtra] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const actions = actionsFor(props.cluster);
  if (actions.length === 0) return null;
  if (props.session.auth && !props.session.token) return <p class="hint">Enter a token to hold, release, disable or delete.</p>;
  const run = async (p: Pending): Promise<void> => {
    if (busy) return;
    setPending(undefined);
    setBusy(true);
    setResult(undefined);
    try {
      const answer = await poolCall(p.call, { cluster: props.cluster.name, ...(p.ask ? { [p.ask.field]: extra } : {}) }, props.session.token);
      setResult({ ok: true, text: answer.message });
    } catch (err) {
      if ((err as { status?: number }).status === 401) props.session.onUnauthenticated(messageOf(err));
      setResult({ ok: false, text: messageOf(err) });
    } finally {
      setBusy(false);
      setExtra('');
    }
  };
  return (
    <div class="cluster-actions">
      <div class="actions">
        {actions.map((a) => (
          <button key={a.call} type="button" class={a.call === 'deletecluster' || a.call === 'disablecluster' ? 'danger' : undefined} disabled={busy} onClick={() => setPending(a)} aria-label={`${LABELS[a.call]} ${props.cluster.name}`}>
            {LABELS[a.call]}
          </button>
        ))}
      </div>
      {result && (
        <p class={result.ok ? 'hint' : 'field-error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
      {pending && (
        <ConfirmDialog title={pending.title} confirmLabel={pending.confirm} onConfirm={() => void run(pending)} onCancel={() => setPending(undefined)}>
          {pending.ask && (
            <div class="field">
              <label for="confirm-extra">{pending.ask.label}</label>
              {pending.ask.type === 'number' ? (
                <input id="confirm-extra" type="number" min={1} value={extra} onInput={(e) => setExtra(e.currentTarget.value)} />
              ) : (
                <input id="confirm-extra" type="text" value={extra} onInput={(e) => setExtra(e.currentTarget.value)} />
              )}
            </div>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
