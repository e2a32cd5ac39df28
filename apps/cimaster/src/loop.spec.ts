import { silentLogger } from '@ci-stack/service-kit/testing';
import { runLoop } from './loop';

describe('runLoop wake-ups', () => {
  it('a wake during a round runs one more round after it (that round may have read the pool before the change)', async () => {
    const gates: Array<() => void> = [];
    let rounds = 0;
    const loop = runLoop({
      name: 'test',
      intervalMs: 3_600_000,
      leadership: { isLeader: () => true },
      logger: silentLogger(),
      round: () => {
        rounds++;
        return new Promise<void>((resolve) => gates.push(resolve));
      },
    });
    expect(rounds).toBe(1);
    loop.wake();
    loop.wake();
    await new Promise((r) => setImmediate(r));
    expect(rounds).toBe(1); // one round at a time
    gates.shift()?.();
    while (rounds < 2) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 20));
    expect(rounds).toBe(2); // two wakes during a round make one more round, not two
    await loop.stop();
  });
});
