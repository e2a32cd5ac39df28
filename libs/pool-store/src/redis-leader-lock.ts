import type { LeaderLock } from './leader-elector';
import { RedisConnection } from './redis-connection';

/**
 * Take or renew in one step: the key holds the holder's identity and expires on its own (`PX`), so a dead leader's
 * lock lapses on the server's clock. It is `SET NX PX` when the key is free, `PEXPIRE` when the caller holds it,
 * and nothing when someone else does. A key lost to `FLUSHALL` is simply free again.
 */
const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return 1
`;

/** Deletes the key only for its holder, so a late release never frees a lock another replica took since. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RedisLeaderLockOptions {
  url: string;
  password?: string;
  /** The lock's key, e.g. `cimaster:leader`. */
  key: string;
  leaseDurationMs: number;
  /** Deadline of every command (default 2 s): see {@link openRedis}. */
  timeoutMs?: number;
}

/** The leader lock as a Redis key with an expiry, beside the pool it guards. */
export class RedisLeaderLock implements LeaderLock {
  private readonly connection: RedisConnection;

  constructor(private readonly opts: RedisLeaderLockOptions) {
    this.connection = new RedisConnection({ url: opts.url, password: opts.password, timeoutMs: opts.timeoutMs, name: opts.key });
    this.connection.redis.defineCommand('acquireLeader', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    this.connection.redis.defineCommand('releaseLeader', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  }

  async tryAcquire(identity: string): Promise<boolean> {
    return (await this.script('acquireLeader', identity, String(this.opts.leaseDurationMs))) === 1;
  }

  async release(identity: string): Promise<void> {
    await this.script('releaseLeader', identity);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private script(name: 'acquireLeader' | 'releaseLeader', ...args: string[]): Promise<number> {
    return this.connection.call((redis) => {
      const run = (redis as unknown as Record<string, (key: string, ...a: string[]) => Promise<number>>)[name];
      return run.call(redis, this.opts.key, ...args);
    });
  }
}
