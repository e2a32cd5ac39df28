import { newProwJob, type ProwJob } from '@ci-stack/prowjob-api';
import { AbortKeeper } from './abort-keeper';
import type { ProwJobApi, WatchEvent, Watching } from './prowjob-api';

const STAMP = 'example.com/aborted-at';

function aborted(name: string): ProwJob {
  const pj = newProwJob({ type: 'periodic', agent: 'kubernetes', job: 'j', pod_spec: { containers: [{ name: 't', image: 'busybox' }] } }, {}, { [STAMP]: 't1' }, { name });
  pj.status.state = 'aborted';
  pj.metadata.resourceVersion = '5';
  return pj;
}

/** Watches that end by themselves after `endAfterMs` (0: at once, as a server that refuses watches), or when stopped. */
function fakeApi(endAfterMs: number): { api: ProwJobApi; watches: () => number } {
  let watches = 0;
  const api = {
    namespace: 'prow',
    watch(_name: string, _rv: string | undefined, _onEvent: (e: WatchEvent) => void): Watching {
      watches++;
      let end: (why: 'closed' | 'stopped') => void = () => undefined;
      const ended = new Promise<'closed' | 'stopped'>((r) => (end = r));
      if (endAfterMs >= 0) setTimeout(() => end('closed'), endAfterMs);
      return { stop: () => end('stopped'), ended };
    },
    get: async (name: string) => aborted(name),
  } as unknown as ProwJobApi;
  return { api, watches: () => watches };
}

describe('AbortKeeper', () => {
  it('pauses before watching again when the API server ends its watches at once', async () => {
    const { api, watches } = fakeApi(0);
    const keeper = new AbortKeeper({ prowJobs: api, windowMs: 10_000, rewatchDelayMs: 50 });
    const started = performance.now();
    keeper.keep(aborted('pj-1'), STAMP, async (pj) => pj);
    while (watches() < 3) await new Promise((r) => setTimeout(r, 5));
    const elapsed = performance.now() - started;
    keeper.close();
    // Three watches with a pause of 50 ms before each of the last two: at least 100 ms, however busy the machine
    // (without the pause they would follow each other within a few milliseconds).
    expect(elapsed).toBeGreaterThanOrEqual(100);
  });

  it('watches at most maxKept aborts at once and counts the others; close stops them all', async () => {
    const { api, watches } = fakeApi(-1);
    let skipped = 0;
    const keeper = new AbortKeeper({ prowJobs: api, windowMs: 10_000, maxKept: 2, onSkipped: () => skipped++ });
    for (const name of ['a', 'b', 'c']) keeper.keep(aborted(name), STAMP, async (pj) => pj);
    expect([watches(), skipped]).toEqual([2, 1]);
    keeper.close();
    keeper.keep(aborted('d'), STAMP, async (pj) => pj);
    expect(watches()).toBe(2);
  });
});
