import { render, type JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Shell, TokenControl, callApi, messageOf, sessionTokenStore, useHashRoute, useNow, type ConsoleConfig, type Session } from '@ci-stack/console-kit';
import { Catalog } from './catalog';
import { jobKey, type JobSummary } from './catalog-model';
import { RecentJobs } from './recent-jobs';
import { TriggerForm } from './trigger-form';

const tokens = sessionTokenStore();

interface TriggerConfig extends ConsoleConfig {
  allowed_env?: string[];
}

function useSession(auth: boolean): { session: Session; token: string | undefined; error: string | undefined; change: (t: string | undefined) => void } {
  const [token, setToken] = useState(() => tokens.get());
  const [error, setError] = useState<string>();
  const change = (t: string | undefined): void => {
    if (t) tokens.set(t);
    else tokens.clear();
    setToken(t);
    setError(undefined);
  };
  const session = useMemo<Session>(
    () => ({
      token,
      auth,
      onUnauthenticated: (message) => {
        tokens.clear();
        setToken(undefined);
        setError(message);
      },
    }),
    [token, auth],
  );
  return { session, token, error, change };
}

function App(props: { config: TriggerConfig }): JSX.Element {
  const route = useHashRoute();
  const now = useNow(5000);
  const { session, token, error: tokenError, change } = useSession(props.config.auth !== false);
  const [jobs, setJobs] = useState<JobSummary[]>();
  const [jobsError, setJobsError] = useState<string>();
  const [triggered, setTriggered] = useState(0);
  useEffect(() => {
    callApi<{ jobs: JobSummary[] }>('/jobs', { token }).then(
      (res) => {
        setJobs(res.jobs);
        setJobsError(undefined);
      },
      (err: unknown) => {
        if ((err as { status?: number }).status === 401) session.onUnauthenticated(messageOf(err));
        setJobsError(messageOf(err));
      },
    );
  }, [token]);
  const page = route[0] ?? '';
  const chosen = page === 'trigger' && route.length > 1 ? jobs?.find((j) => jobKey(j) === route.slice(1).join('/')) : undefined;
  const nav = [
    { href: '#/', label: 'Jobs', current: page === '' },
    { href: '#/trigger', label: 'Trigger', current: page === 'trigger' },
    { href: '#/recent', label: 'Recent jobs', current: page === 'recent' },
  ];
  return (
    <Shell title="manual-trigger" nav={nav} peer={props.config.peer_url ? { url: props.config.peer_url, label: 'Cluster pool' } : undefined} token={<TokenControl token={token} onChange={change} error={tokenError} />}>
      {page === 'trigger' ? (
        <TriggerForm job={chosen} allowedEnv={props.config.allowed_env ?? []} session={session} onTriggered={() => setTriggered((n) => n + 1)} />
      ) : page === 'recent' ? (
        <RecentJobs session={session} refresh={triggered} now={now} />
      ) : (
        <Catalog jobs={jobs} error={jobsError} />
      )}
      {page === 'trigger' && triggered > 0 && <RecentJobs session={session} refresh={triggered} now={now} />}
    </Shell>
  );
}

async function start(): Promise<void> {
  const config = await callApi<TriggerConfig>('config.json').catch((): TriggerConfig => ({ service: 'manual-trigger', peer_url: null }));
  render(<App config={config} />, document.getElementById('app') as HTMLElement);
}

void start();
