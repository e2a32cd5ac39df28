import type { Logger } from '@ci-stack/service-kit';
import type { Leadership } from './leadership';

export interface Loop {
  /** Runs a round soon (e.g. after a change this replica made), unless one is running. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs` on the leader only, one round at a time; a failing round is logged and the next
 * one tries again.
 */
export function runLoop(opts: { name: string; intervalMs: number; leadership: Leadership; logger: Logger; round: () => Promise<void> }): Loop {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (running || stopped || !opts.leadership.isLeader()) return;
    running = opts
      .round()
      .catch((err: Error) => opts.logger.warn({ loop: opts.name, err: err.message }, `${opts.name} failed; will retry`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  tick();
  return {
    wake: () => setImmediate(tick),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
