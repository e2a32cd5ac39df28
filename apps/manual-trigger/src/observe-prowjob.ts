import type { ProwJob } from '@ci-stack/prowjob-api';
import { sleep } from '@ci-stack/core';
import type { ProwJobApi, WatchEvent } from './prowjob-api';

/**
 * Calls `onEvent` for each change of one ProwJob after `fromVersion` until it returns true or `signal` aborts. A
 * watch the API server closes is watched again from the last resourceVersion seen; one whose resourceVersion is
 * compacted (410) or that failed continues from a fresh read (DELETED when the ProwJob is gone), so no change is
 * missed. After a failed watch, or one the server closed sooner than `retryDelayMs` after it began (a server or
 * proxy that ends every watch at once), it pauses that long first instead of asking again and again.
 */
export async function observeProwJob(
  api: ProwJobApi,
  start: ProwJob,
  fromVersion: string | undefined,
  onEvent: (event: WatchEvent) => boolean,
  signal: AbortSignal,
  retryDelayMs = 500,
): Promise<void> {
  let last = start;
  let version = fromVersion;
  let done = false;
  while (!done && !signal.aborted) {
    const began = Date.now();
    const watch = api.watch(start.metadata.name, version, (event) => {
      if (done) return;
      last = event.prowJob;
      version = event.prowJob.metadata.resourceVersion ?? version;
      done = onEvent(event);
      if (done) watch.stop();
    });
    const stop = (): void => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    const why = await watch.ended;
    signal.removeEventListener('abort', stop);
    if (done || signal.aborted) continue;
    if (why === 'error' || (why === 'closed' && Date.now() - began < retryDelayMs)) await sleep(retryDelayMs, signal);
    if (why === 'closed') continue;
    const fresh = await reread(api, last, signal);
    if (!fresh) continue;
    last = fresh.prowJob;
    version = fresh.prowJob.metadata.resourceVersion;
    done = onEvent(fresh);
  }
}

/** After a lost watch: the ProwJob as it is now (DELETED when it is gone), or nothing if the API fails. */
async function reread(api: ProwJobApi, last: ProwJob, signal: AbortSignal): Promise<WatchEvent | undefined> {
  if (signal.aborted) return undefined;
  try {
    return { type: 'MODIFIED', prowJob: await api.get(last.metadata.name) };
  } catch (err) {
    if ((err as { kind?: string }).kind === 'not-found') return { type: 'DELETED', prowJob: last };
    return undefined;
  }
}
