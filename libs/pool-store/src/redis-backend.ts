import { randomUUID } from 'node:crypto';
import { Command } from 'ioredis';
import { DomainError } from '@ci-stack/core';
import type { Loaded, VersionedBackend } from './batching-store';
import { ChangeFeed } from './change-feed';
import { DEFAULT_REDIS_TIMEOUT_MS, RedisConnection } from './redis-connection';
import { RedisChangeSource } from './redis-change-source';

/** The pool, its version and the server's clock (milliseconds), read in one step. */
const LOAD_SCRIPT = `
local t = redis.call('TIME')
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), tostring(t[1] * 1000 + math.floor(t[2] / 1000))}
`;

/**
 * Compare-and-set: write the pool only if its version is still the one we read, and announce the change. With a
 * deadline (ARGV[6], server milliseconds), a write that reaches Redis after it changes nothing (-1): its caller
 * has given up on it, as when a stopped Redis resumes and runs what was sent to it meanwhile.
 */
const CAS_SCRIPT = `
local v = redis.call('GET', KEYS[2])
if (v or '') ~= ARGV[1] then return 0 end
if ARGV[6] ~= '' then
  local t = redis.call('TIME')
  if t[1] * 1000 + math.floor(t[2] / 1000) > tonumber(ARGV[6]) then return -1 end
end
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
  /** Deadline of every command (default 2 s): see {@link openRedis}. */
  timeoutMs?: number;
}

/**
 * The pool in one Redis key, versioned by a second key; every write is an atomic compare-and-set in a Lua script,
 * so concurrent replicas never overwrite each other's changes. Each write is published on `<prefix>pool:changes`.
 *
 * A write is based on a read, and must reach Redis within the deadline of that read: the read returns the server's
 * clock, and the write carries that time plus the deadline, past which Redis refuses it. So a write its caller gave
 * up on (and answered 503 for) never lands later, when a stalled Redis resumes.
 */
export class RedisBackend implements VersionedBackend {
  private readonly connection: RedisConnection;
  private readonly dataKey: string;
  private readonly versionKey: string;
  private readonly channel: string;
  private readonly origin = randomUUID();
  private readonly feed: ChangeFeed;
  private readonly timeoutMs: number;

  constructor(opts: RedisBackendOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.connection = new RedisConnection({ url: opts.url, password: opts.password, timeoutMs: this.timeoutMs, name: `${opts.prefix}pool` });
    const redis = this.connection.redis;
    redis.defineCommand('casPool', { numberOfKeys: 2, lua: CAS_SCRIPT });
    this.dataKey = `${opts.prefix}pool`;
    this.versionKey = `${opts.prefix}pool:version`;
    this.channel = `${opts.prefix}pool:changes`;
    const connect = () => redis.duplicate({ lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null, connectionName: `${opts.prefix}pool:changes` });
    this.feed = new ChangeFeed(new RedisChangeSource({ connect, channel: this.channel, origin: this.origin }));
  }

  /** The server, without credentials: `redis://host:port/db`. */
  get address(): string {
    return this.connection.address;
  }

  async load(opts: { timeoutMs?: number } = {}): Promise<Loaded> {
    const command = new Command('eval', [LOAD_SCRIPT, 2, this.dataKey, this.versionKey], { replyEncoding: 'utf8' });
    // A timer set before sending wins over the connection's commandTimeout: a shorter deadline for this read.
    if (opts.timeoutMs !== undefined && opts.timeoutMs < this.timeoutMs) command.setTimeout(opts.timeoutMs);
    const [text, version, now] = (await this.connection.call((redis) => redis.sendCommand(command) as Promise<[string | null, string | null, string]>));
    return { text, version: text === null ? null : (version ?? ''), readAt: Number(now) };
  }

  async save(text: string, version: string | null, readAt?: number): Promise<'ok' | 'conflict'> {
    const next = String(Number(version || 0) + 1);
    const writeBy = readAt === undefined ? '' : String(readAt + this.timeoutMs);
    const redis = this.connection.redis as unknown as { casPool(k1: string, k2: string, ...args: string[]): Promise<number> };
    const done = await this.connection.call(() => redis.casPool(this.dataKey, this.versionKey, version ?? '', text, next, this.channel, this.origin, writeBy));
    if (done === -1) throw new DomainError('unavailable', 'REDIS_UNAVAILABLE', `Redis unavailable: ${this.address} took longer than ${this.timeoutMs / 1000}s from read to write; nothing was written`);
    if (done !== 1) return 'conflict';
    this.feed.emit();
    return 'ok';
  }

  subscribe(listener: () => void): () => void {
    return this.feed.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.connection.close();
  }
}
