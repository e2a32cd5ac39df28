import { createHash } from 'node:crypto';
import { ContinueExpiredError, InvalidContinueError } from './errors';
import type { ListFilters } from './requests/list-request';

/** How long a `continue` is good for, like the API server's own (which lasts until etcd compacts, ~5 minutes). */
export const CONTINUE_TTL_MS = 10 * 60_000;

/**
 * Where the next page starts: the resourceVersion the first page was read at (later pages read nothing older),
 * that page's time, the last item handed out (start time, name) and a digest of the filters it was issued for.
 */
export interface Cursor {
  resourceVersion: string;
  /** The first page's time: every page reads the same time windows (see time-buckets.ts), and the token expires by it. */
  anchorMs: number;
  startedMs: number;
  name: string;
  /** `since` as the first page resolved it (`since=24h` must not move between pages). */
  sinceMs?: number;
}

interface Encoded {
  v: 1;
  rv: string;
  a: number;
  t: number;
  n: string;
  s?: number;
  f: string;
}

/** How far ahead of this replica's clock a token's time may be (another replica's clock). */
const CLOCK_SKEW_MS = 60_000;

export function encodeContinue(cursor: Cursor, filters: ListFilters): string {
  const body: Encoded = { v: 1, rv: cursor.resourceVersion, a: cursor.anchorMs, t: cursor.startedMs, n: cursor.name, s: cursor.sinceMs, f: fingerprint(filters) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * The cursor in a `continue`; 400 INVALID_CONTINUE for one we did not issue or issued for other filters, 410
 * CONTINUE_EXPIRED once it is older than {@link CONTINUE_TTL_MS}.
 */
export function decodeContinue(token: string, filters: ListFilters, now: Date): Cursor {
  const body = readToken(token);
  if (!body) throw new InvalidContinueError('is not a token this service issued');
  if (body.f !== fingerprint(filters)) throw new InvalidContinueError('was issued for other filters: send the same filters as for the first page, or');
  if (now.getTime() - body.a > CONTINUE_TTL_MS) throw new ContinueExpiredError();
  // Replicas' clocks may differ a little; a token from further in the future was made up, and would never expire.
  if (body.a - now.getTime() > CLOCK_SKEW_MS) throw new InvalidContinueError('is not a token this service issued');
  return { resourceVersion: body.rv, anchorMs: body.a, startedMs: body.t, name: body.n, sinceMs: typeof body.s === 'number' ? body.s : undefined };
}

/** The token's fields, if it is one of ours. */
function readToken(token: string): Encoded | undefined {
  let body: Partial<Encoded>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Encoded>;
  } catch {
    return undefined;
  }
  const shaped = body?.v === 1 && typeof body.rv === 'string' && /^[1-9]\d{0,19}$/.test(body.rv) && typeof body.a === 'number' && typeof body.t === 'number' && typeof body.n === 'string';
  return shaped ? (body as Encoded) : undefined;
}

/** A digest of the filters; of `since` only whether it is set, its value travels in the token. */
function fingerprint(filters: ListFilters): string {
  const { since, olderThan: _olderThan, ...rest } = filters;
  const entries = Object.entries({ ...rest, since: since !== undefined }).filter(([, v]) => v !== undefined);
  const canonical = JSON.stringify(entries.sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}
