import type { z } from 'zod';
import { ApiError, MalformedAnswerError, UnreachableError, snippetOf } from './client-errors';
import type { RouteSpec, RouteTable } from './route';
import { EventStreamParser, type ServerEvent } from './sse';

type SuccessStatus = 200 | 201 | 202;

type BodyOf<R> = R extends { content: { 'application/json': infer J extends z.ZodType } }
  ? z.output<J>
  : R extends { content: { 'text/plain': infer T extends z.ZodType } }
    ? z.output<T>
    : undefined;

/** What a successful call returns: the body of any documented 2xx answer. */
export type AnswerOf<R extends RouteSpec> = { [S in keyof R['responses'] & SuccessStatus]: BodyOf<R['responses'][S]> }[keyof R['responses'] & SuccessStatus];

/** What a call takes: its path parameters and its parameters, as the service's schemas accept them. */
export type InputOf<R extends RouteSpec> = (R['pathParams'] extends z.ZodType ? z.input<R['pathParams']> : unknown) & (R['params'] extends z.ZodType ? z.input<R['params']> : unknown);

/** The data of each event a streaming route sends. */
export type EventOf<R extends RouteSpec> = R['responses'] extends { 200: { content: { 'text/event-stream': infer E extends z.ZodType } } } ? z.output<E> : never;

export type StreamingRoute<T extends RouteTable> = { [K in keyof T]: T[K]['responses'] extends { 200: { content: { 'text/event-stream': z.ZodType } } } ? K : never }[keyof T] & string;

const STREAM_IDLE_TIMEOUT_MS = 60_000;

export interface ClientOptions {
  /** Name used in messages, e.g. "cimaster". */
  service: string;
  baseUrl: string;
  /** Bearer token, read for every call (a mounted Secret may rotate). */
  token?: () => string | undefined | Promise<string | undefined>;
  /** Deadline of each call (streams: until the answer's headers). */
  timeoutMs?: number;
  /** For testing. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  headers?: Record<string, string>;
  requestId?: string;
  signal?: AbortSignal;
  /** Streams only: resume after this event id. */
  lastEventId?: string;
  /**
   * Streams only: a stream that sends nothing (not even a keep-alive comment) for this long is taken as broken, so
   * a connection whose peer died without closing it is noticed (default 60 s; our services send a comment every 15 s).
   */
  idleTimeoutMs?: number;
}

/** A typed client for one service, derived from its route table. */
export interface Client<T extends RouteTable> {
  readonly baseUrl: string;
  call<K extends keyof T & string>(id: K, input: InputOf<T[K]>, options?: CallOptions): Promise<AnswerOf<T[K]>>;
  /** Reads a Server-Sent Events route until the service ends the stream. */
  stream<K extends StreamingRoute<T>>(id: K, input: InputOf<T[K]>, options?: CallOptions): AsyncGenerator<ServerEvent<EventOf<T[K]>>>;
}

export function createClient<T extends RouteTable>(routes: T, opts: ClientOptions): Client<T> {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;

  async function send(route: RouteSpec, input: unknown, accept: string, options: CallOptions): Promise<{ res: Response; url: string; done: () => void; deadlineOff: () => void }> {
    const { url, body } = encode(base, route, (input ?? {}) as Record<string, unknown>);
    const token = await opts.token?.();
    const headers: Record<string, string> = {
      accept,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
      ...options.headers,
    };
    // The deadline covers the whole answer of a call, and only the headers of a stream (see `done`).
    const controller = new AbortController();
    const timer = opts.timeoutMs ? setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), opts.timeoutMs) : undefined;
    const cancel = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', cancel, { once: true });
    const deadlineOff = (): void => clearTimeout(timer);
    const done = (): void => {
      deadlineOff();
      options.signal?.removeEventListener('abort', cancel);
    };
    try {
      const res = await doFetch(url, { method: route.methods[0], headers, body, signal: controller.signal });
      return { res, url, done, deadlineOff };
    } catch (err) {
      done();
      throw new UnreachableError(opts.service, url, unreachableReason(err, opts.timeoutMs));
    }
  }

  return {
    baseUrl: base,
    async call(id, input, options = {}) {
      const route = routes[id];
      const { res, url, done } = await send(route, input, 'application/json', options);
      const text = await readText(res, opts.service, url, opts.timeoutMs).finally(done);
      return decode(opts.service, route.responses, res, text) as never;
    },
    async *stream(id, input, options = {}) {
      const route = routes[id];
      const { res, url, done, deadlineOff } = await send(route, input, 'text/event-stream', options);
      if (res.status === 204) return done(); // nothing more will come (e.g. the job ended before the last event id)
      if (res.status !== 200 || mediaType(res) !== 'text/event-stream') {
        decode(opts.service, route.responses, res, await readText(res, opts.service, url, opts.timeoutMs).finally(done));
        throw new MalformedAnswerError(opts.service, res.status, { reason: 'media-type', problem: `expected an event stream, got ${mediaType(res) || 'no content type'}`, snippet: '' });
      }
      deadlineOff();
      const schema = route.responses[200]?.content?.['text/event-stream'] as z.ZodType;
      const check = (data: string): unknown => checked(opts.service, 200, schema, parseJson(opts.service, 200, data));
      try {
        const broke = (err: unknown): Error => new UnreachableError(opts.service, url, `the stream broke: ${unreachableReason(err, opts.timeoutMs)}`);
        yield* events(res, check, broke, options.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS) as AsyncGenerator<ServerEvent<never>>;
      } finally {
        done();
      }
    },
  };
}

/** The events of a `text/event-stream` body, each `data` checked; the body is cancelled when the reader stops. */
async function* events(res: Response, check: (data: string) => unknown, broke: (err: unknown) => Error, idleMs: number): AsyncGenerator<ServerEvent<unknown>> {
  const parser = new EventStreamParser();
  const decoder = new TextDecoder();
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return;
  try {
    for (;;) {
      let idle: ReturnType<typeof setTimeout> | undefined;
      const silence = new Promise<never>((_resolve, reject) => {
        idle = setTimeout(() => reject(new Error(`nothing for ${idleMs} ms`)), idleMs);
      });
      const chunk = await Promise.race([reader.read(), silence])
        .catch((err: unknown) => {
          throw broke(err);
        })
        .finally(() => clearTimeout(idle));
      if (chunk.done) return;
      for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) yield { ...event, data: check(event.data) };
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Puts path parameters into the path; the rest goes in the query (GET) or a JSON body (POST). */
function encode(base: string, route: RouteSpec, input: Record<string, unknown>): { url: string; body?: string } {
  const rest = { ...input };
  const path = route.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const entries = Object.entries(rest).filter(([, v]) => v !== undefined);
  if (route.methods[0] === 'POST' && route.paramsFrom === 'query-or-body') {
    return { url: base + path, body: JSON.stringify(Object.fromEntries(entries)) };
  }
  const query = new URLSearchParams();
  for (const [key, value] of entries) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  const qs = query.toString();
  return { url: base + path + (qs ? `?${qs}` : '') };
}

function decode(service: string, responses: RouteSpec['responses'], res: Response, text: string): unknown {
  const spec = responses[res.status];
  const media = mediaType(res);
  if (res.status >= 400) throw apiError(service, res.status, media, text);
  if (!spec) throw new MalformedAnswerError(service, res.status, { reason: 'status', problem: `HTTP ${res.status} is not one of its answers`, snippet: snippetOf(text) });
  if (!spec.content) return undefined;
  const schema = spec.content[media as keyof typeof spec.content];
  if (!schema) throw new MalformedAnswerError(service, res.status, {
      reason: 'media-type',
      problem: `expected ${Object.keys(spec.content).join(' or ')}, got ${media || 'no content type'}: ${snippetOf(text, 80)}`,
      snippet: snippetOf(text),
    });
  return checked(service, res.status, schema, media === 'application/json' ? parseJson(service, res.status, text) : text);
}

/** A documented error, or any JSON answer with a message; anything else (an HTML error page) is malformed. */
function apiError(service: string, status: number, media: string, text: string): Error {
  if (media === 'application/json') {
    try {
      const body = JSON.parse(text) as { code?: unknown; message?: unknown; details?: unknown };
      if (typeof body?.message === 'string') {
        return new ApiError(status, typeof body.code === 'string' ? body.code : undefined, body.message, isObject(body.details) ? body.details : undefined);
      }
    } catch {
      // falls through to malformed
    }
  }
  if (media === 'text/plain' && text.trim()) return new ApiError(status, undefined, text.trim());
  return new MalformedAnswerError(service, status, { reason: media === 'application/json' ? 'not-json' : 'media-type', problem: `HTTP ${status} with ${media || 'no content type'}: ${snippetOf(text, 80)}`, snippet: snippetOf(text) });
}

function parseJson(service: string, status: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedAnswerError(service, status, { reason: 'not-json', problem: `not JSON: ${snippetOf(text, 80)}`, snippet: snippetOf(text) });
  }
}

function checked(service: string, status: number, schema: z.ZodType, value: unknown): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new MalformedAnswerError(service, status, { reason: 'schema', problem: `${where}${issue.message}`, snippet: snippetOf(JSON.stringify(value) ?? '') });
}

async function readText(res: Response, service: string, url: string, timeoutMs: number | undefined): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw new UnreachableError(service, url, unreachableReason(err, timeoutMs));
  }
}

function mediaType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

function unreachableReason(err: unknown, timeoutMs: number | undefined): string {
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e.name === 'AbortError') return 'the call was cancelled';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
