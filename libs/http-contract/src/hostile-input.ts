import http from 'node:http';
import type { OpenApiDocument, OpenApiOperation } from './openapi';

/** Where a request carries a parameter. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'body';

/** One parameter of one operation of a service's document: where a hostile value goes. */
export interface HostileTarget {
  /** The operation's id in the document (the route id, `…Post` for a route's second method). */
  operationId: string;
  method: 'GET' | 'POST';
  /** OpenAPI path template, e.g. `/prowjobs/{name}`. */
  template: string;
  location: ParameterLocation;
  name: string;
}

/**
 * Headers every request may carry and the services read whatever the route (authentication, content
 * negotiation, the body's type, the request id), besides the ones a route declares. The same middleware reads
 * them on every route, so they are sent to one route per method.
 */
export const COMMON_HEADERS = ['Authorization', 'Accept', 'Content-Type', 'X-Request-Id'] as const;

/**
 * Every parameter of every operation of a document (path, query, declared headers, the properties of a JSON
 * body), and the common headers on the first operation of each method that takes parameters: a new route or
 * parameter in the route table is a new target.
 */
export function hostileTargets(document: OpenApiDocument): HostileTarget[] {
  const operations: Operation[] = Object.entries(document.paths).flatMap(([template, item]) => Object.entries(item).map(([method, op]) => ({ template, method: method.toUpperCase() as 'GET' | 'POST', op })));
  const withCommonHeaders = new Set(['GET', 'POST'].map((m) => operations.find((o) => o.method === m && parameterTargets(o).length)));
  return operations.flatMap((o) => [...parameterTargets(o), ...(withCommonHeaders.has(o) ? COMMON_HEADERS.filter((name) => !declaresHeader(o.op, name)).map((name) => target(o, 'header', name)) : [])]);
}

interface Operation {
  template: string;
  method: 'GET' | 'POST';
  op: OpenApiOperation;
}

function target({ template, method, op }: Operation, location: ParameterLocation, name: string): HostileTarget {
  return { operationId: op.operationId, method, template, location, name };
}

function parameterTargets(o: Operation): HostileTarget[] {
  return [...(o.op.parameters ?? []).map((p) => target(o, p.in as ParameterLocation, String(p.name))), ...bodyProperties(o.op).map((name) => target(o, 'body', name))];
}

function declaresHeader(op: OpenApiOperation, name: string): boolean {
  return (op.parameters ?? []).some((p) => p.in === 'header' && String(p.name).toLowerCase() === name.toLowerCase());
}

function bodyProperties(op: OpenApiOperation): string[] {
  const content = (op.requestBody as { content?: Record<string, { schema?: { properties?: object } }> } | undefined)?.content;
  return Object.keys(content?.['application/json']?.schema?.properties ?? {});
}

/** A value sent as a parameter: text, or (in a query or a JSON body) a structure where text is expected. */
export interface HostileValue {
  /** What the value is, for messages, e.g. `digits then x ×10000`. */
  label: string;
  value: string | unknown[] | Record<string, unknown> | number | null;
}

/**
 * Texts that make backtracking patterns, naive splitters and recursive parsers slow, each first short (24
 * characters: enough for an exponential pattern to take seconds, so the run fails quickly instead of hanging) and
 * then long (10,000 characters).
 */
const FAMILIES: ReadonlyArray<[label: string, make: (n: number) => string]> = [
  ['digits then x', (n) => `${'1'.repeat(n)}x`],
  ['digits and dots', (n) => `${'1.'.repeat(n / 2)}x`],
  ['duration parts', (n) => `${'1h'.repeat(n / 2)}x`],
  ['letters then !', (n) => `${'a'.repeat(n)}!`],
  ['word-dash runs', (n) => `${'a-'.repeat(n / 2)}!`],
  ['dashes', (n) => '-'.repeat(n)],
  ['dots', (n) => '.'.repeat(n)],
  ['label-like dots', (n) => `${'a.'.repeat(n / 2)}-`],
  ['commas', (n) => ','.repeat(n)],
  ['equals signs', (n) => '='.repeat(n)],
  ['label pairs', (n) => `${'k=v,'.repeat(n / 4)}!`],
  ['open parentheses', (n) => '('.repeat(n)],
  ['open brackets and braces', (n) => '[{'.repeat(n / 2)],
  ['stars', (n) => '*'.repeat(n)],
  ['slashes', (n) => `${'a/'.repeat(n / 2)}/`],
  ['percent signs', (n) => '%'.repeat(n)],
  ['spaces then x', (n) => `${' '.repeat(n)}x`],
  ['mixed name characters', (n) => `${'A1-._'.repeat(n / 5)}~`],
  ['accented letters', (n) => 'é'.repeat(n)],
  ['emoji', (n) => '😀'.repeat(n / 2)],
  ['lone surrogates', (n) => '\ud800'.repeat(n)],
  ['NUL characters', (n) => '\u0000'.repeat(n)],
];

export const SHORT_HOSTILE_LENGTH = 24;
export const LONG_HOSTILE_LENGTH = 10_000;

/** The hostile values for one location, short ones before long ones within each family. */
export function hostileValues(location: ParameterLocation): HostileValue[] {
  const texts = FAMILIES.flatMap(([label, make]) =>
    [SHORT_HOSTILE_LENGTH, LONG_HOSTILE_LENGTH].map((n) => ({ label: `${label} ×${n}`, value: make(n) })),
  ).filter(({ value }) => fits(location, value));
  const deep = (n: number): unknown[] => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown[];
  const structures: HostileValue[] =
    location === 'query'
      ? [{ label: 'a list', value: ['1'.repeat(24) + 'x', 'a'.repeat(10_000)] }, { label: 'nested keys', value: { a: { b: { c: { d: { e: { f: '1' } } } } } } }]
      : location === 'body'
        ? [{ label: 'a number', value: 1e308 }, { label: 'null', value: null }, { label: 'a list', value: ['a'.repeat(10_000)] }, { label: 'an object', value: JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown> }, { label: 'nested lists 1000 deep', value: deep(1000) }]
        : [];
  return [...texts, ...structures];
}

/** Whether a text can be sent there at all: URLs cannot encode lone surrogates, headers take Latin-1 without controls. */
function fits(location: ParameterLocation, value: string): boolean {
  if (location === 'header') return [...value].every((c) => c === '\t' || (c >= ' ' && c <= '~') || (c >= '\u0080' && c <= '\u00ff'));
  if (location === 'path' || location === 'query') {
    try {
      encodeURIComponent(value);
    } catch {
      return false;
    }
  }
  return true;
}

/** Valid values for the rest of a request, so the hostile one reaches the code past the first check. */
export interface Baseline {
  /** Parameters: in the query string of a GET, in the JSON body of a POST. */
  params?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** What came back, and the process CPU time from sending the request to the end of the answer (or the headers of an event stream). */
export interface HostileAnswer {
  status: number;
  contentType: string;
  retryAfter?: string;
  body: string;
  cpuMs: number;
}

/**
 * Sends one request with the hostile value at the target and measures the CPU time the process spent until the
 * answer came (client and server are in the process; the server's synchronous work, which blocks its event loop,
 * is in there). CPU time, not wall time: busy neighbours (`stress-ng --cpu 2`) slow the wall clock, not this.
 */
export async function sendHostile(baseUrl: string, target: HostileTarget, value: HostileValue['value'], baseline: Baseline = {}): Promise<HostileAnswer> {
  const params: Record<string, unknown> = { ...baseline.params };
  const headers: Record<string, string> = { ...baseline.headers };
  let path = target.template;
  if (target.location === 'header') headers[target.name] = target.name === 'Authorization' ? `Bearer ${String(value)}` : String(value);
  else if (target.location === 'path') path = path.replace(`{${target.name}}`, encodeURIComponent(String(value)));
  else params[target.name] = value;
  path = path.replace(/\{[^}]+\}/g, 'x1'); // other path parameters: a name that exists nowhere
  let body: string | undefined;
  if (target.method === 'GET') path += queryString(params);
  else {
    body = JSON.stringify(params);
    if (!(target.location === 'header' && target.name === 'Content-Type')) headers['Content-Type'] = 'application/json';
  }
  const before = process.cpuUsage();
  const answer = await request(`${baseUrl}${path}`, target.method, headers, body);
  const used = process.cpuUsage(before);
  return { ...answer, cpuMs: (used.user + used.system) / 1000 };
}

/** `?a=1&b[]=x&c[d]=y`: lists and objects the way qs (express's extended query parser) reads them. */
function queryString(params: Record<string, unknown>): string {
  const pairs: string[] = [];
  const add = (key: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((item) => add(`${key}[]`, item));
    else if (v !== null && typeof v === 'object') Object.entries(v).forEach(([k, inner]) => add(`${key}[${k}]`, inner));
    else pairs.push(`${encodeURIComponent(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(String(v))}`);
  };
  Object.entries(params).forEach(([k, v]) => add(k, v));
  return pairs.length ? `?${pairs.join('&')}` : '';
}

const KEEP_ALIVE = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(url: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<Omit<HostileAnswer, 'cpuMs'>> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: KEEP_ALIVE });
    req.on('error', reject);
    req.on('response', (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      const out = { status: res.statusCode ?? 0, contentType, ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}) };
      if (contentType.startsWith('text/event-stream')) {
        // A stream that opened is a normal answer; it would not end on its own.
        res.destroy();
        return resolve({ ...out, body: '' });
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ...out, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

/**
 * Sends every target a harmless value once, unmeasured: modules loaded on first use, compiled schemas and the JIT's
 * first compilations then cost nothing in the measured requests.
 */
export async function warmUp(baseUrl: string, targets: readonly HostileTarget[], baselineOf: (target: HostileTarget) => Baseline): Promise<void> {
  for (const target of targets) await sendHostile(baseUrl, target, 'x1', baselineOf(target));
}

/**
 * Runs a measured request up to `attempts` times until one stays within `budgetMs` of CPU time and returns the
 * cheapest: a garbage collection or a first-call compilation can land in one request, a slow parser lands in
 * every one.
 */
export async function cheapestOf(attempts: number, budgetMs: number, send: () => Promise<HostileAnswer>): Promise<HostileAnswer & { tries: number[] }> {
  let best: HostileAnswer | undefined;
  const tries: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const answer = await send();
    tries.push(answer.cpuMs);
    if (!best || answer.cpuMs < best.cpuMs) best = answer;
    if (best.cpuMs <= budgetMs) break;
  }
  return { ...(best as HostileAnswer), tries };
}

/** A server for the app that takes request heads up to 1 MiB, so long values reach the app instead of a 431. */
export function roomyServer(app: http.RequestListener): http.Server {
  return http.createServer({ maxHeaderSize: 1 << 20 }, app);
}
