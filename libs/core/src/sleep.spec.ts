import { sleep } from './sleep';

describe('sleep', () => {
  it('waits the given time', async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends at once when the signal aborts, before or during the wait', async () => {
    const before = new AbortController();
    before.abort();
    const during = new AbortController();
    const started = Date.now();
    const waiting = sleep(60_000, during.signal);
    during.abort();
    await Promise.all([sleep(60_000, before.signal), waiting]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
