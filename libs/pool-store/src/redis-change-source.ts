import type { Redis } from 'ioredis';
import type { ChangeSource } from './change-feed';

/**
 * Other replicas' writes, heard on the Redis channel every pool write publishes to (inside the same Lua script, so
 * no write goes unannounced). Messages carry the writer's id, so a backend skips its own. A subscription is not
 * data: `FLUSHALL` leaves it alone, and after a reconnect it subscribes again and reports a possible change.
 */
export class RedisChangeSource implements ChangeSource {
  private connection?: Redis;

  constructor(
    private readonly opts: {
      /** A new, unconnected connection to the same server: a subscribed connection can do nothing else. */
      connect: () => Redis;
      channel: string;
      /** This backend's id, the message of its own writes. */
      origin: string;
    },
  ) {}

  start(changed: () => void): void {
    const sub = this.opts.connect();
    this.connection = sub;
    sub.on('error', () => undefined); // it reconnects on its own; waiters poll meanwhile
    sub.on('message', (channel: string, origin: string) => {
      if (channel === this.opts.channel && origin !== this.opts.origin) changed();
    });
    // 'ready' comes on the first connect and after every reconnect; report a change only once subscribed. A
    // subscription that failed (it timed out) is tried again on a new connection.
    sub.on('ready', () => {
      sub.subscribe(this.opts.channel).then(changed, () => {
        if (this.connection === sub) sub.disconnect(true);
      });
    });
    sub.connect().catch(() => undefined);
  }

  async stop(): Promise<void> {
    const sub = this.connection;
    this.connection = undefined;
    sub?.disconnect();
  }
}
