import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Notice, Table, formatDuration, formatTime, messageOf } from '@ci-stack/console-kit';
import type { Session } from '@ci-stack/console-kit';
import { ClusterActions } from './actions';
import { JobAndReason, StateBadge } from './board';
import { clusterDetail } from './pool-api';
import { usageOverDay, type ClusterView, type HistoryView } from './pool-model';

/** Use over the last day as 24 hourly bars (testing below, held on top), drawn as SVG: no chart library. */
export function UsageChart(props: { cluster: ClusterView; history: HistoryView[]; now: number }): JSX.Element {
  const hours = usageOverDay(props.cluster, props.history, props.now);
  const width = 24 * 26;
  const height = 110;
  const total = hours.reduce((s, h) => s + h.testing + h.held, 0);
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${width + 30} ${height + 24}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">Use over the last 24 hours</title>
        <desc id="chart-desc">{`In use ${formatDuration(total * 3_600_000)} of the last 24 hours, hour by hour: testing and held.`}</desc>
        <line class="axis" x1="28" y1={height} x2={width + 28} y2={height} />
        <text x="0" y="10">
          100%
        </text>
        <text x="8" y={height}>
          0%
        </text>
        {hours.map((h, i) => {
          const x = 30 + i * 26;
          const t = h.testing * height;
          const held = h.held * height;
          const label = new Date(h.start).getHours();
          return (
            <g key={h.start}>
              <rect class="bar" x={x} y={height - t} width="20" height={t}>
                <title>{`${label}:00 testing ${Math.round(h.testing * 100)}%`}</title>
              </rect>
              <rect class="held" x={x} y={height - t - held} width="20" height={held}>
                <title>{`${label}:00 held ${Math.round(h.held * 100)}%`}</title>
              </rect>
              {i % 3 === 0 && (
                <text x={x} y={height + 16}>
                  {`${label}h`}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">Blue: testing. Amber: held. {`In use ${formatDuration(total * 3_600_000)} of the last 24 hours.`}</figcaption>
    </figure>
  );
}

/** One cluster: its state and labels, actions, use over the last day and its history (re-read on every change). */
export function ClusterPage(props: { name: string; live: ClusterView | undefined; now: number; session: Session }): JSX.Element {
  const [detail, setDetail] = useState<{ history: HistoryView[] }>();
  const [error, setError] = useState<string>();
  const live = props.live;
  useEffect(() => {
    const abort = new AbortController();
    clusterDetail(props.name, abort.signal).then(
      (d) => {
        setDetail(d);
        setError(undefined);
      },
      (err: unknown) => !abort.signal.aborted && setError(messageOf(err)),
    );
    return () => abort.abort();
  }, [props.name, live]);
  if (!live) return error ? <Notice kind="error">{error}</Notice> : <p role="status">No cluster {props.name} in the pool (yet).</p>;
  const history = detail?.history ?? [];
  return (
    <section aria-labelledby="cluster-title">
      <p>
        <a href="#/">← Pool</a>
      </p>
      <h1 id="cluster-title">
        {live.name} <StateBadge state={live.state} />
      </h1>
      <div class="panel">
        <dl class="details">
          <dt>Region</dt>
          <dd>{live.region}</dd>
          <dt>Labels</dt>
          <dd>{Object.entries(live.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}</dd>
          <dt>In this state since</dt>
          <dd>{formatTime(live.since)}</dd>
          {live.holder && (
            <>
              <dt>Holder</dt>
              <dd>
                build {live.holder.build} · {live.holder.job}
                {live.holder.user && ` · ${live.holder.user}`}
              </dd>
            </>
          )}
          <dt>Added</dt>
          <dd>
            {formatTime(live.added_at)}
            {live.added_by && ` by ${live.added_by}`}
          </dd>
          <JobAndReason cluster={live} />
        </dl>
        <ClusterActions cluster={live} session={props.session} />
      </div>
      <h2>Use over the last day</h2>
      <UsageChart cluster={live} history={history} now={props.now} />
      <h2>History</h2>
      {error && <Notice kind="error">{error}</Notice>}
      {history.length === 0 ? (
        <p class="muted">No history yet.</p>
      ) : (
        <Table columns={['State', 'Who', 'From', 'For', 'Ended']}>
          {history.map((h) => (
            <tr key={`${h.from}-${h.state}`}>
              <td>
                <StateBadge state={h.state} />
              </td>
              <td>{[h.build && `build ${h.build}`, h.job, h.user, h.prowjob].filter(Boolean).join(' · ') || '—'}</td>
              <td>{formatTime(h.from)}</td>
              <td>{formatDuration(h.duration_seconds * 1000)}</td>
              <td>
                {h.ended}
                {h.log_link && (
                  <>
                    {' · '}
                    <a href={h.log_link}>log</a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
