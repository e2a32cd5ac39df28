import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveStatus } from './live';

/** The hash route as path segments: `#/clusters/c1` is `['clusters', 'c1']`; hash routes need no server routes. */
export function useHashRoute(): string[] {
  const read = (): string[] =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = (): void => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The current time, updated every `everyMs`: one timer drives every countdown on the page. */
export function useNow(everyMs = 1000, offsetMs = 0): number {
  const [now, setNow] = useState(() => Date.now() + offsetMs);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + offsetMs), everyMs);
    setNow(Date.now() + offsetMs);
    return () => clearInterval(timer);
  }, [everyMs, offsetMs]);
  return now;
}

export interface NavLink {
  href: string;
  label: string;
  current: boolean;
}

const LIVE_WORDS: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

/** The page frame: a skip link, the title, navigation, live status, the token and a link to the other console. */
export function Shell(props: { title: string; nav: NavLink[]; peer?: { url: string; label: string }; live?: LiveStatus; token: JSX.Element; children: ComponentChildren }): JSX.Element {
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="title">{props.title}</span>
          {props.live && (
            <span class={`live live-${props.live}`} role="status" data-live={props.live}>
              {LIVE_WORDS[props.live]}
            </span>
          )}
        </div>
        <nav aria-label="Sections">
          <ul>
            {props.nav.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.current ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
            {props.peer && (
              <li>
                <a href={props.peer.url} class="peer">
                  {props.peer.label} ↗
                </a>
              </li>
            )}
          </ul>
        </nav>
        {props.token}
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}

/**
 * The token, entered once per tab (the caller keeps it in sessionStorage). `error` is the API's message when the
 * service refused it (unknown or expired): the caller then forgets it, and the message shows next to the field.
 */
export function TokenControl(props: { token: string | undefined; onChange: (token: string | undefined) => void; error?: string }): JSX.Element {
  const [draft, setDraft] = useState('');
  const submit = (e: Event): void => {
    e.preventDefault();
    if (!draft.trim()) return;
    props.onChange(draft.trim());
    setDraft('');
  };
  return (
    <form class="token" onSubmit={submit} aria-label="API token">
      {props.token ? (
        <>
          <span class="token-set">Token set for this tab</span>
          <button type="button" onClick={() => props.onChange(undefined)}>
            Forget token
          </button>
        </>
      ) : (
        <>
          <label for="token-input">API token</label>
          <input id="token-input" type="password" autocomplete="off" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? 'token-error' : undefined} />
          <button type="submit">Use token</button>
        </>
      )}
      {props.error && (
        <span id="token-error" class="field-error" role="alert">
          {props.error}
        </span>
      )}
    </form>
  );
}

/** A labelled control with its hint and, when the API refused the value, the API's message right below it. */
export function Field(props: { id: string; label: string; hint?: ComponentChildren; error?: string; children: ComponentChildren }): JSX.Element {
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** The `aria-describedby` of a control inside {@link Field}. */
export function describedBy(id: string, hint: boolean, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** Asks before anything destructive; a modal dialog, so focus stays in it and Escape cancels. */
export function ConfirmDialog(props: { title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void }): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <div class="confirm-body">{props.children}</div>
      <div class="actions">
        <button type="button" onClick={props.onCancel} autofocus>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A message about the last action: `role="alert"` for errors, so screen readers announce them. */
export function Notice(props: { kind: 'error' | 'ok'; children: ComponentChildren }): JSX.Element {
  return (
    <p class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

/**
 * A table with a header row of column names (`scope="col"`, for screen readers), scrolling sideways inside its frame
 * on a narrow screen. The rows are the children.
 */
export function Table(props: { columns: ComponentChildren[]; caption?: ComponentChildren; children: ComponentChildren }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        {props.caption && <caption class="muted">{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
