import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { DomainError } from '@ci-stack/core';

/** How long a Redis command may take when no `--redis-timeout` is given. */
export const DEFAULT_REDIS_TIMEOUT_MS = 2000;

/** What every connection of the Redis store and lock is told about its server and deadline. */
export interface RedisConnectionOptions {
  /** redis://[:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  /** Password from a mounted Secret, overriding any in the URL. */
  password?: string;
  /** Deadline of every command and of each connection attempt. */
  timeoutMs?: number;
  /** Shown in `CLIENT LIST`, so an operator can tell the pool's connection from the lock's. */
  name?: string;
}

/**
 * Opens (lazily) a connection whose every command has a deadline and that never sends a command late:
 * - `commandTimeout`: a command unanswered after the deadline fails, and the connection is dropped and opened again
 *   (see {@link RedisConnection.call}); a connection attempt whose handshake goes unanswered fails the same way.
 * - `connectTimeout`: a TCP connection not established within the deadline is given up and retried.
 * - `enableOfflineQueue: false`: while not connected a command fails at once instead of waiting for a reconnect
 *   that may come after its caller gave up.
 * - `autoResendUnfulfilledCommands: false`, `maxRetriesPerRequest: 0`: a command in flight when the connection
 *   drops fails at once and is never sent again; the store retries with a fresh read.
 * - `disconnectTimeout`: a dropped connection whose server does not answer the close is destroyed quickly.
 * Reconnecting backs off from 50 ms to 2 s (ioredis' default `retryStrategy`).
 */
export function openRedis(opts: RedisConnectionOptions): Redis {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  const options: RedisOptions = {
    password: opts.password,
    connectionName: opts.name,
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    disconnectTimeout: Math.min(timeoutMs, 200),
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
  };
  const redis = new Redis(opts.url, options);
  redis.on('error', () => undefined); // surfaced per call, with what the caller can act on
  return redis;
}

/** The server a URL points at, without credentials: `redis://host:port/db`, for logs and messages. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

/** ioredis' message for a command that outlived `commandTimeout`. */
const TIMED_OUT = 'Command timed out';

/** Replies of a Redis that is up but cannot serve for now: loading its data, busy with a script, failing over. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/;

/**
 * One connection and the rules every call on it follows: connect on first use, give up at the deadline, drop a
 * connection whose server stopped answering (a timed-out command leaves it unusable: the server may still be
 * working through what was sent, or the socket is half-open after a failover), and translate failures.
 */
export class RedisConnection {
  readonly redis: Redis;
  readonly address: string;
  private readonly timeoutMs: number;

  constructor(opts: RedisConnectionOptions) {
    this.redis = openRedis(opts);
    this.address = redisAddress(opts.url);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  }

  /**
   * Runs `fn` on the connection. Only a Redis that cannot be reached, does not answer in time or says it cannot
   * serve yet is "unavailable" (`REDIS_UNAVAILABLE`, worth a retry); an error Redis answered with, such as a failing
   * script, is a fault here and surfaces as a {@link RedisCommandError}.
   */
  async call<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      return await fn(this.redis);
    } catch (err) {
      if (err instanceof ReplyError && !TRANSIENT_REPLY.test((err as Error).message)) throw new RedisCommandError(err as Error);
      if ((err as Error).message === TIMED_OUT) this.drop();
      throw new DomainError('unavailable', 'REDIS_UNAVAILABLE', `Redis unavailable: ${this.explain(err as Error)}`);
    }
  }

  /** Quits politely when the server answers, else just closes. */
  async close(): Promise<void> {
    if (this.redis.status === 'end' || this.redis.status === 'wait') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Closes the current socket and lets ioredis open a new one; what was sent on the old one is never re-sent. */
  private drop(): void {
    if (this.redis.status === 'ready' && this.redis.stream?.writable) this.redis.disconnect(true);
  }

  private explain(err: Error): string {
    const seconds = this.timeoutMs / 1000;
    if (err.message === TIMED_OUT) return `${this.address} did not answer within ${seconds}s; reconnecting`;
    if (err.name === 'MaxRetriesPerRequestError') return `the connection to ${this.address} closed before it answered`;
    if (err.message.startsWith("Stream isn't writeable")) return `not connected to ${this.address} (status ${this.redis.status}); reconnecting`;
    return `${this.address}: ${err.message}`;
  }
}

/** Redis refused a command it received (a script error, a wrong type, a refused password): a 500, never retried. */
export class RedisCommandError extends Error {
  constructor(cause: Error) {
    super(`Redis refused the command: ${cause.message}`, { cause });
    this.name = 'RedisCommandError';
  }
}
