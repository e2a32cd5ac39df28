import type { JSX } from 'preact';
import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import { countdown, since } from '@ci-stack/console-kit';
import type { Session } from '@ci-stack/console-kit';
import { ClusterActions } from './actions';
import { KNOWN_STATES, countByState, groupClusters, labelKeys, showsJob, stateInfo, type BoardFilter, type ClusterView, type PoolModel } from './pool-model';

export function StateBadge(props: { state: string }): JSX.Element {
  const info = stateInfo(props.state);
  return (
    <span class={`state tone-${info.tone}`} data-state={props.state}>
      {info.word}
    </span>
  );
}

function Expiry(props: { label: string; iso: string | null; now: number }): JSX.Element | null {
  if (!props.iso) return null;
  const left = countdown(props.iso, props.now);
  return (
    <>
      <dt>{props.label}</dt>
      <dd class={left.expired ? 'expired' : undefined}>
        <time dateTime={props.iso} title={props.iso}>
          {left.text}
        </time>
      </dd>
    </>
  );
}

/** The creation or cleanup job and the reason, for clusters that are not simply in use. */
export function JobAndReason(props: { cluster: ClusterView }): JSX.Element | null {
  const { job, problem, disabled_reason: disabled } = props.cluster;
  return (
    <>
      {job && (
        <>
          <dt>{job.kind === 'create' ? 'Creation' : 'Cleanup'}</dt>
          <dd>
            {job.name ?? 'requested'} (attempt {job.attempt}){job.status_link && <> · <a href={job.status_link}>status</a></>}
            {job.log_link && <> · <a href={job.log_link}>log</a></>}
          </dd>
        </>
      )}
      {problem && (
        <>
          <dt>Reason</dt>
          <dd class="reason" data-reason>
            {problem.reason}
            {problem.prowjob && <> · {problem.prowjob}</>}
            {problem.log_link && <> · <a href={problem.log_link}>log</a></>}
          </dd>
        </>
      )}
      {disabled && (
        <>
          <dt>Reason</dt>
          <dd class="reason">{disabled}</dd>
        </>
      )}
    </>
  );
}

/** One cluster's card; memoised, so a change to one cluster re-renders one card (plus the countdowns). */
const ClusterCard = memo(function ClusterCard(props: { cluster: ClusterView; now: number; session: Session }): JSX.Element {
  const c = props.cluster;
  const info = stateInfo(c.state);
  const labels = Object.entries(c.labels ?? {});
  return (
    <li class={`card card-${info.tone}`} data-cluster={c.name} data-state={c.state}>
      <div class="card-head">
        <h3>
          <a href={`#/clusters/${encodeURIComponent(c.name)}`}>{c.name}</a>
        </h3>
        <StateBadge state={c.state} />
      </div>
      <dl>
        {c.holder && (
          <>
            <dt>Holder</dt>
            <dd>
              build {c.holder.build} · {c.holder.job}
              {c.holder.user && <> · {c.holder.user}</>}
            </dd>
            <dt>Held for</dt>
            <dd>{since(c.holder.since, props.now)}</dd>
          </>
        )}
        {!c.holder && (
          <>
            <dt>{info.word} for</dt>
            <dd>{since(c.since, props.now)}</dd>
          </>
        )}
        <Expiry label="Lease ends" iso={c.state === 'testing' ? c.lease_expires : null} now={props.now} />
        <Expiry label="Hold ends" iso={c.state === 'held' ? c.hold_expires : null} now={props.now} />
        {(showsJob(c.state) || c.state === 'disabled') && <JobAndReason cluster={c} />}
      </dl>
      {labels.length > 0 && (
        <ul class="chips" aria-label="Labels">
          {labels.map(([k, v]) => (
            <li class="chip" key={k}>
              {k}={v}
            </li>
          ))}
        </ul>
      )}
      <ClusterActions cluster={c} session={props.session} />
    </li>
  );
});

/** The pool board: a summary, filters and the clusters grouped by region or by a label. */
export function Board(props: { model: PoolModel | undefined; now: number; session: Session }): JSX.Element {
  const [filter, setFilter] = useState<BoardFilter>({ text: '', state: '' });
  const [grouping, setGrouping] = useState('region');
  const clusters = props.model?.clusters;
  const groups = useMemo(() => (clusters ? groupClusters(clusters.values(), grouping, filter) : []), [clusters, grouping, filter]);
  const keys = useMemo(() => (clusters ? labelKeys(clusters.values()) : []), [clusters]);
  if (!props.model) return <p role="status">Loading the pool…</p>;
  const counts = countByState(props.model.clusters.values());
  const shown = groups.reduce((n, g) => n + g.clusters.length, 0);
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">Pool</h1>
      <p class="summary" data-summary>
        {props.model.clusters.size} clusters
        {counts.map((s) => (
          <span key={s.state}>
            {' · '}
            <StateBadge state={s.state} /> {s.count}
          </span>
        ))}
        {props.model.queue.length > 0 && <> · {props.model.queue.length} waiting</>}
      </p>
      <div class="toolbar" role="search">
        <div class="field">
          <label for="board-search">Search</label>
          <input id="board-search" type="search" placeholder="name, build, job, user, label" value={filter.text} onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="board-state">State</label>
          <select id="board-state" value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.currentTarget.value })}>
            <option value="">All states</option>
            {KNOWN_STATES.map((s) => (
              <option key={s} value={s}>
                {stateInfo(s).word}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="board-group">Group by</label>
          <select id="board-group" value={grouping} onChange={(e) => setGrouping(e.currentTarget.value)}>
            <option value="region">Region</option>
            {keys.map((k) => (
              <option key={k} value={`label:${k}`}>
                Label {k}
              </option>
            ))}
          </select>
        </div>
      </div>
      {shown === 0 && <p role="status">{props.model.clusters.size === 0 ? 'The pool is empty: add a cluster on the Admin page.' : 'No cluster matches.'}</p>}
      {groups.map((g) => (
        <section class="group" key={g.key} aria-label={`${grouping === 'region' ? 'Region' : grouping.slice(6)} ${g.key || '(none)'}`}>
          <h2>
            {g.key || '(no such label)'} <span class="muted">{g.clusters.length}</span>
          </h2>
          <ul class="cards">
            {g.clusters.map((c) => (
              <ClusterCard key={c.name} cluster={c} now={props.now} session={props.session} />
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
