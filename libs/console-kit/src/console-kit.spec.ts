import { ApiError, callApi, refusal } from './api';
import { countdown, formatDuration } from './format';
import { fieldOf, sessionTokenStore } from './session';
import { EventParser, readEvents } from './stream';

describe('console-kit', () => {
  it('formats durations and countdowns', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(12 * 60_000 + 5000)).toBe('12m 05s');
    expect(formatDuration(3 * 3_600_000 + 7 * 60_000)).toBe('3h 07m');
    expect(formatDuration(52 * 3_600_000)).toBe('2d 04h');
    expect(countdown('2026-01-01T01:00:00Z', Date.parse('2026-01-01T00:00:00Z'))).toEqual({ text: 'in 1h 00m', expired: false });
    expect(countdown('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:12Z'))).toEqual({ text: 'expired 12s ago', expired: true });
  });

  it("keeps the service's words: JSON code and message, or the plain text", () => {
    expect(refusal(400, '{"success":false,"code":"INVALID_REQUEST","message":"cluster name Bad_Name must be a DNS label"}')).toMatchObject({ status: 400, code: 'INVALID_REQUEST', message: 'cluster name Bad_Name must be a DNS label' });
    expect(refusal(401, 'missing or unknown token\n')).toMatchObject({ code: 'HTTP_401', message: 'missing or unknown token' });
    expect(refusal(502, '')).toMatchObject({ message: 'HTTP 502' });
  });

  it('sends JSON with the bearer token and answers refusals as ApiError', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fake = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response('{"success":false,"code":"FORBIDDEN","message":"token alice may not delete"}', { status: 403 });
    }) as unknown as typeof fetch;
    const err = await callApi('/deletecluster', { method: 'POST', body: { cluster: 'c1' }, token: 't0k', fetch: fake }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'token alice may not delete' });
    expect(seen[0].init.headers).toMatchObject({ authorization: 'Bearer t0k', 'content-type': 'application/json', accept: 'application/json' });
    expect(seen[0].init.body).toBe('{"cluster":"c1"}');
  });

  it('parses event streams split anywhere', () => {
    const p = new EventParser();
    const text = 'retry: 2000\n\n: keep-alive\n\nid: 3\nevent: status\ndata: {"a":\ndata: 1}\n\nevent: deleted\ndata: {}\n\n';
    const events = [...text].flatMap((ch) => p.push(ch));
    expect(events).toEqual([
      { id: '3', event: 'status', data: '{"a":\n1}' },
      { id: undefined, event: 'deleted', data: '{}' },
    ]);
  });

  it('reads a stream with the token and Last-Event-ID, and says whether it closed or answered 204', async () => {
    const seen: RequestInit[] = [];
    const answer = (res: Response) =>
      (async (_url: string, init: RequestInit) => {
        seen.push(init);
        return res;
      }) as unknown as typeof fetch;
    const events: string[] = [];
    const signal = new AbortController().signal;
    const stream = new Response('id: 7\nevent: status\ndata: {"state":"pending"}\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });
    await expect(readEvents('/prowjobs/a/events', { token: 't0k', lastEventId: '6', signal, onEvent: (e) => events.push(`${e.id} ${e.event} ${e.data}`), fetch: answer(stream) })).resolves.toBe('closed');
    expect(events).toEqual(['7 status {"state":"pending"}']);
    expect(seen[0].headers).toMatchObject({ authorization: 'Bearer t0k', 'last-event-id': '6', accept: 'text/event-stream' });
    await expect(readEvents('/prowjobs/a/events', { lastEventId: '7', signal, onEvent: () => undefined, fetch: answer(new Response(null, { status: 204 })) })).resolves.toBe('no-content');
    const refused = new Response('{"success":false,"code":"FORBIDDEN","message":"bob may not read job a"}', { status: 403 });
    await expect(readEvents('/prowjobs/a/events', { signal, onEvent: () => undefined, fetch: answer(refused) })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'bob may not read job a' });
  });

  it('finds the field a message is about, and keeps the token per tab', () => {
    const fields = { pullrequest: /pull ?request/i, base_ref: /branch/ };
    expect(fieldOf("Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter.", fields)).toBe('pullrequest');
    expect(fieldOf('Job x not found', fields)).toBeUndefined();
    const map = new Map<string, string>();
    const store = sessionTokenStore({ getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) });
    store.set('  abc \n');
    expect(store.get()).toBe('abc');
    store.clear();
    expect(store.get()).toBeUndefined();
  });
});
