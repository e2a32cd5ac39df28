import { render, type JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Shell, TokenControl, callApi, followEvents, sessionTokenStore, useHashRoute, useNow, type ConsoleConfig, type LiveStatus, type Session } from '@ci-stack/console-kit';
import { AdminPage } from './admin-page';
import { Board } from './board';
import { ClusterPage } from './cluster-page';
import { applyChange, fromSnapshot, type ChangeEvent, type PoolModel, type SnapshotEvent } from './pool-model';
import { QueuePage } from './queue';

const tokens = sessionTokenStore();

/** The pool, kept current by cimaster's event stream: a snapshot on (re)connect, then only what changed. */
function usePool(): { model: PoolModel | undefined; live: LiveStatus } {
  const [model, setModel] = useState<PoolModel>();
  const [live, setLive] = useState<LiveStatus>('connecting');
  useEffect(
    () =>
      followEvents('/pool/events', {
        status: setLive,
        on: {
          snapshot: (e) => {
            performance.mark('pool-snapshot'); // when the pool arrived, for the benchmark's breakdown
            setModel(fromSnapshot(e as SnapshotEvent, Date.now()));
          },
          change: (e) => setModel((m) => (m ? applyChange(m, e as ChangeEvent, Date.now()) : m)),
        },
      }),
    [],
  );
  return { model, live };
}

/** The page the hash route names: the board by default. */
function Page(props: { route: string[]; model: PoolModel | undefined; now: number; session: Session }): JSX.Element {
  const [page, name] = props.route;
  if (page === 'queue') return <QueuePage model={props.model} now={props.now} />;
  if (page === 'admin') return <AdminPage session={props.session} />;
  if (page === 'clusters' && name) return <ClusterPage name={name} live={props.model?.clusters.get(name)} now={props.now} session={props.session} />;
  return <Board model={props.model} now={props.now} session={props.session} />;
}

function App(props: { config: ConsoleConfig }): JSX.Element {
  const route = useHashRoute();
  const { model, live } = usePool();
  const now = useNow(1000, model?.skewMs ?? 0);
  const [token, setToken] = useState(() => tokens.get());
  const [tokenError, setTokenError] = useState<string>();
  const changeToken = (t: string | undefined): void => {
    if (t) tokens.set(t);
    else tokens.clear();
    setToken(t);
    setTokenError(undefined);
  };
  const session: Session = useMemo(
    () => ({
      token,
      auth: props.config.auth !== false,
      onUnauthenticated: (message) => {
        tokens.clear();
        setToken(undefined);
        setTokenError(message);
      },
    }),
    [token, props.config.auth],
  );
  const page = route[0] ?? '';
  const nav = [
    { href: '#/', label: 'Pool', current: page === '' || page === 'clusters' },
    { href: '#/queue', label: `Queue${model?.queue.length ? ` (${model.queue.length})` : ''}`, current: page === 'queue' },
    { href: '#/admin', label: 'Admin', current: page === 'admin' },
  ];
  return (
    <Shell title="cimaster" nav={nav} live={live} peer={props.config.peer_url ? { url: props.config.peer_url, label: 'Triggers' } : undefined} token={<TokenControl token={token} onChange={changeToken} error={tokenError} />}>
      <Page route={route} model={model} now={now} session={session} />
    </Shell>
  );
}

/** Renders at once (the event stream connects meanwhile) and again when the service's settings arrive. */
function start(): void {
  const root = document.getElementById('app') as HTMLElement;
  const fallback: ConsoleConfig = { service: 'cimaster', peer_url: null };
  render(<App config={fallback} />, root);
  void callApi<ConsoleConfig>('config.json').then((config) => render(<App config={config} />, root), () => undefined);
}

start();
