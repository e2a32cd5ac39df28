import { randomUUID } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import { DomainError } from '@ci-stack/core';
import type { VersionedBackend } from './batching-store';
import { ChangeFeed } from './change-feed';
import { RedisChangeSource } from './redis-change-source';

/** Compare-and-set: write the pool only if its version is still the one we read, and announce the change. */
const CAS_SCRIPT = `
local v = redis.call('GET', KEYS[2])
if (v or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

export interface RedisBackendOptions {
  /** redis://[:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** Key prefix, e.g. `cimaster:`. */
  prefix: string;
  /** Password from a mounted Secret, overriding any in the URL. */
  password?: string;
}

/**
 * The pool in one Redis key, versioned by a second key; every write is an atomic compare-and-set in a Lua script,
 * so concurrent replicas never overwrite each other's changes. Each write is published on `<prefix>pool:changes`.
 */
export class RedisBackend implements VersionedBackend {
  private readonly redis: Redis;
  private readonly dataKey: string;
  private readonly versionKey: string;
  private readonly channel: string;
  private readonly origin = randomUUID();
  private readonly feed: ChangeFeed;

  constructor(opts: RedisBackendOptions) {
    this.redis = new Redis(opts.url, {
      password: opts.password,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 5000,
    });
    this.redis.on('error', () => undefined); // surfaced per call by `call` below, with what the caller can act on
    this.redis.defineCommand('casPool', { numberOfKeys: 2, lua: CAS_SCRIPT });
    this.dataKey = `${opts.prefix}pool`;
    this.versionKey = `${opts.prefix}pool:version`;
    this.channel = `${opts.prefix}pool:changes`;
    const connect = (): Redis => this.redis.duplicate({ lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null });
    this.feed = new ChangeFeed(new RedisChangeSource({ connect, channel: this.channel, origin: this.origin }));
  }

  async load(): Promise<{ text: string | null; version: string | null }> {
    const [text, version] = await this.call(() => this.redis.mget(this.dataKey, this.versionKey));
    return { text, version: text === null ? null : (version ?? '') };
  }

  async save(text: string, version: string | null): Promise<'ok' | 'conflict'> {
    const next = String(Number(version || 0) + 1);
    const cas = (this.redis as unknown as { casPool(k1: string, k2: string, ...args: string[]): Promise<number> }).casPool;
    const done = await this.call(() => cas.call(this.redis, this.dataKey, this.versionKey, version ?? '', text, next, this.channel, this.origin));
    if (done !== 1) return 'conflict';
    this.feed.emit();
    return 'ok';
  }

  subscribe(listener: () => void): () => void {
    return this.feed.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Only a Redis that cannot be reached (or says it cannot serve yet) is "unavailable", worth a retry; an error
   * Redis answered with, such as a failing script, is a fault here and surfaces as a {@link RedisCommandError}.
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      return await fn();
    } catch (err) {
      if (err instanceof ReplyError && !TRANSIENT_REPLY.test((err as Error).message)) throw new RedisCommandError(err as Error);
      throw new DomainError('unavailable', 'REDIS_UNAVAILABLE', `Redis unavailable: ${(err as Error).message}`);
    }
  }
}

/** Replies of a Redis that is up but cannot serve for now: loading its data, busy with a script, failing over. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/;

/** Redis refused a command it received (a script error, a wrong type, a refused password): a 500, never retried. */
export class RedisCommandError extends Error {
  constructor(cause: Error) {
    super(`Redis refused the command: ${cause.message}`, { cause });
    this.name = 'RedisCommandError';
  }
}
