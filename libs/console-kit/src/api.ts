/** A refusal of the service, in its own words: the HTTP status, the stable code and the message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  body?: Record<string, unknown>;
  query?: Record<string, string | number | boolean | undefined>;
  token?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** For testing. */
  fetch?: typeof fetch;
}

/** The URL of a call: the path with its query, empty values left out. */
export function callUrl(path: string, query: CallOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Calls the service this console came from and returns its JSON answer. A refusal becomes an {@link ApiError}
 * carrying the service's code and message word for word, so the console shows what the API said.
 */
export async function callApi<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  Object.assign(headers, opts.headers);
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(callUrl(path, opts.query), {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'UNREACHABLE', `the service did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw refusal(res.status, text);
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw new ApiError(res.status, 'MALFORMED_ANSWER', `the service answered something that is not JSON: ${text.slice(0, 120)}`);
  }
}

/** A refusal in the service's words: its JSON `{code, message}`, or its plain-text reply. */
export function refusal(status: number, text: string): ApiError {
  let body: { code?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = (JSON.parse(text) ?? {}) as typeof body;
  } catch {
    // plain text: the text is the message
  }
  const message = typeof body.message === 'string' ? body.message : text.trim() || `HTTP ${status}`;
  return new ApiError(status, typeof body.code === 'string' ? body.code : `HTTP_${status}`, message, body.details as Record<string, unknown> | undefined);
}

/** The message to show for any failure of a call. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
