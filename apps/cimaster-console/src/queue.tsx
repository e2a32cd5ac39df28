import type { JSX } from 'preact';
import { countdown, since } from '@ci-stack/console-kit';
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
        <div class="table-wrap">
          <table>
            <caption class="muted">getvacant calls waiting with wait=, first come first served</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Build</th>
                <th scope="col">Job</th>
                <th scope="col">Wants</th>
                <th scope="col">Waiting for</th>
                <th scope="col">Gives up</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
