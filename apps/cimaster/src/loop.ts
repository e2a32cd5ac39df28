import type { Logger } from '@ci-stack/service-kit';
import type { Leadership } from './leadership';

export interface Loop {
  /** Runs a round soon (e.g. after a change this replica made, or a followed job that ended); once more after the running one. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs` on the leader only, one round at a time; a failing round is logged and the next
 * one tries again.
 */
export function runLoop(opts: { name: string; intervalMs: number; leadership: Leadership; logger: Logger; round: () => Promise<void> }): Loop {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const tick = (woken = false): void => {
    if (stopped || !opts.leadership.isLeader()) return;
    if (running) {
      // The running round may have read the pool (or a job) before the change that woke us: one more round follows.
      // A timer tick during a round is dropped, as before: the next one comes soon enough.
      again ||= woken;
      return;
    }
    running = opts
      .round()
      .catch((err: Error) => opts.logger.warn({ loop: opts.name, err: err.message }, `${opts.name} failed; will retry`))
      .finally(() => {
        running = undefined;
        if (!again) return;
        again = false;
        setImmediate(tick, true);
      });
  };
  const timer = setInterval(() => tick(), opts.intervalMs);
  timer.unref();
  tick();
  return {
    wake: () => setImmediate(tick, true),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
