import type { JSX } from 'preact';
import { Table, countdown, since } from '@ci-stack/console-kit';
import type { PoolModel } from './pool-model';

/** Who waits for a cluster, for what, in which position and for how long. */
export function QueuePage(props: { model: PoolModel | undefined; now: number }): JSX.Element {
  const queue = props.model?.queue ?? [];
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      {queue.length === 0 ? (
        <p role="status">Nobody is waiting: every getvacant got a cluster or gave up.</p>
      ) : (
        <Table columns={['Position', 'Build', 'Job', 'Wants', 'Waiting for', 'Gives up']} caption="getvacant calls waiting with wait=, first come first served">
          {queue.map((t) => (
            <tr key={`${t.position}-${t.build}`} data-ticket={t.build}>
              <td>{t.position}</td>
              <td>{t.build}</td>
              <td>{t.job}</td>
              <td>
                {t.region ? `region ${t.region}` : 'any region'}
                {Object.entries(t.labels ?? {}).map(([k, v]) => (
                  <span class="chip" key={k}>
                    {' '}
                    {k}={v}
                  </span>
                ))}
              </td>
              <td>{since(t.enqueued_at, props.now)}</td>
              <td>{countdown(t.deadline, props.now).text}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
