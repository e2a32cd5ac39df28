/**
 * Watches as the API server streams them: one JSON event per line; without a resourceVersion (or with "0") the
 * current objects first as ADDED, from a resourceVersion every change after it, from a compacted one a single
 * ERROR event carrying a 410 Expired `Status`, then the end of the stream.
 */
import type http from 'node:http';
import { matchesRequirements, parseLabelSelector, type Requirement } from './label-selector';
import { matchesFieldSelector, status } from './selectors';
import { ExpiredError, type KubeObj, type Resource, type StoreEvent, type VersionedStore } from './versioned-store';

export interface OpenWatch {
  res: http.ServerResponse;
  stop(): void;
}

export function startWatch(store: VersionedStore, resource: Resource, namespace: string, url: URL, res: http.ServerResponse, opts: { gone: boolean }): OpenWatch | undefined {
  let requirements: Requirement[];
  try {
    requirements = parseLabelSelector(url.searchParams.get('labelSelector'));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(status(400, 'BadRequest', (err as Error).message)));
    return undefined;
  }
  const fieldSelector = url.searchParams.get('fieldSelector');
  const matches = (o: KubeObj): boolean => o.metadata.namespace === namespace && matchesRequirements(o.metadata.labels, requirements) && matchesFieldSelector(o, fieldSelector);
  const write = (type: string, object: unknown): void => void res.write(JSON.stringify({ type, object }) + '\n');
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  const from = url.searchParams.get('resourceVersion');
  try {
    if (opts.gone) throw new ExpiredError(Number(from), store.resourceVersion);
    const initial: StoreEvent[] = !from || from === '0' ? store.listAt(resource, namespace).map((object) => ({ rv: 0, type: 'ADDED', resource, object })) : store.eventsAfter(Number(from));
    for (const e of initial) if (e.resource === resource && matches(e.object)) write(e.type, e.object);
  } catch (err) {
    if (!(err instanceof ExpiredError)) throw err;
    res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', err.message) }) + '\n');
    return undefined;
  }
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (e.resource === resource && matches(e.object)) write(e.type, e.object);
  });
  const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  const stop = (): void => {
    clearTimeout(timer);
    unsubscribe();
  };
  res.on('close', stop);
  return { res, stop };
}
