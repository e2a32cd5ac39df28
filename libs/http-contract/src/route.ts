import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST';

/** The media types the services answer with. */
export type MediaType = 'application/json' | 'text/plain' | 'text/event-stream' | 'text/html' | 'text/javascript' | 'text/css';

export interface HeaderSpec {
  description: string;
  schema: z.ZodType;
  required?: boolean;
}

/** One documented answer of a route: its body per media type (for SSE: the `data` of each event) and headers. */
export interface ResponseSpec {
  description: string;
  content?: { readonly [M in MediaType]?: z.ZodType };
  headers?: Readonly<Record<string, HeaderSpec>>;
}

/**
 * One route of a service: where it is, what it takes and every answer it gives. The services validate requests
 * with `params`/`pathParams`, the OpenAPI document and the typed client are derived from the same object.
 */
export interface RouteSpec {
  summary: string;
  description?: string;
  tags?: readonly string[];
  /** The first method is the one the typed client uses. */
  methods: readonly HttpMethod[];
  /** OpenAPI-style template, e.g. `/clusters/{name}`. */
  path: string;
  pathParams?: z.ZodObject;
  /** Parameters: from the query string, and for POST also from a JSON or form body (`paramsFrom`). */
  params?: z.ZodType;
  paramsFrom?: 'query' | 'query-or-body';
  /** Request headers the route reads, e.g. `Idempotency-Key`. */
  headers?: Readonly<Record<string, HeaderSpec>>;
  /** Who may call it when the service's authentication is on (documentation, enforced by the service). */
  auth?: string;
  responses: Readonly<Partial<Record<number, ResponseSpec>>>;
}

/** The error statuses the services answer with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 500 | 502 | 503 | 504;

export type RouteTable = Readonly<Record<string, RouteSpec>>;

/** Keeps the literal types of a route table (the typed client is derived from them). */
export function defineRoutes<const T extends RouteTable>(routes: T): T {
  return routes;
}

/** The error body both services send: a stable `code`, a `message` that says what to fix, optional details. */
export function errorBodySchema(codes: readonly [string, ...string[]]): z.ZodObject {
  return z.object({
    success: z.literal(false),
    code: z.enum(codes),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  });
}

/** `/clusters/{name}` → `/clusters/:name` (express). */
export function expressPath(template: string): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

/** `/clusters/:name` → `/clusters/{name}` (OpenAPI). */
export function templatePath(expressRoute: string): string {
  return expressRoute.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** The path parameters of `path` when it matches `template`, else undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  const out: Record<string, string> = {};
  try {
    names.forEach((name, i) => {
      out[name] = decodeURIComponent(match[i + 1]);
    });
  } catch {
    return undefined; // a malformed %-escape matches no route
  }
  return out;
}

/** The route of a table serving `method path`, with its path parameters. */
export function findRoute<T extends RouteTable>(routes: T, method: string, path: string): { id: keyof T & string; route: RouteSpec; pathParams: Record<string, string> } | undefined {
  for (const [id, route] of Object.entries(routes)) {
    if (!route.methods.includes(method as HttpMethod)) continue;
    const pathParams = matchPath(route.path, path);
    if (pathParams) return { id, route, pathParams };
  }
  return undefined;
}

export type ErrorCodes = readonly [string, ...string[]];

/**
 * The error answers of a route: the codes every request of the service may get, merged with the route's own,
 * each status rendered by the service (its media types and headers).
 */
export function errorResponses(
  common: Partial<Record<ErrorStatus, ErrorCodes>>,
  own: Partial<Record<ErrorStatus, ErrorCodes>>,
  render: (status: ErrorStatus, codes: ErrorCodes) => ResponseSpec,
): Partial<Record<ErrorStatus, ResponseSpec>> {
  const merged = new Map<ErrorStatus, Set<string>>();
  for (const table of [common, own]) {
    for (const [status, codes] of Object.entries(table) as Array<[string, ErrorCodes]>) {
      const set = merged.get(Number(status) as ErrorStatus) ?? new Set<string>();
      codes.forEach((c) => set.add(c));
      merged.set(Number(status) as ErrorStatus, set);
    }
  }
  return Object.fromEntries([...merged].map(([status, codes]) => [status, render(status, [...codes] as unknown as ErrorCodes)]));
}
