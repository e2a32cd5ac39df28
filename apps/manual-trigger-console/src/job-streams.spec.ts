import type { StreamEnd, StreamEvent } from '@ci-stack/console-kit';
import type { ProwJobSummary } from '@ci-stack/manual-trigger-api';
import { JobStreams, type ReadEvents } from './job-streams';

/** One connection the fake service answers: the events it sends, then how it ends (or the refusal it throws). */
type Script = { events?: Array<Partial<ProwJobSummary> & { id: string; event?: string }>; end?: StreamEnd; refuse?: { status: number; message: string } };

function summary(name: string, patch: Partial<ProwJobSummary>): string {
  return JSON.stringify({ job_name: name, job: 'sddz-e2e', state: 'pending', ended: false, ...patch });
}

/** A fake service: each connection to a job takes the next script; calls are recorded with their Last-Event-ID. */
function fakeService(scripts: Record<string, Script[]>): { read: ReadEvents; calls: Array<{ url: string; lastEventId?: string; token?: string }> } {
  const calls: Array<{ url: string; lastEventId?: string; token?: string }> = [];
  const read: ReadEvents = async (url, opts) => {
    calls.push({ url, lastEventId: opts.lastEventId, token: opts.token });
    const name = decodeURIComponent(url.split('/')[2]);
    const script = scripts[name]?.shift();
    if (!script) return new Promise<StreamEnd>((resolve) => opts.signal.addEventListener('abort', () => resolve('closed'))); // open until closed
    if (script.refuse) throw Object.assign(new Error(script.refuse.message), { status: script.refuse.status });
    for (const { id, event, ...patch } of script.events ?? []) opts.onEvent({ id, event: event ?? 'status', data: summary(name, patch) } as StreamEvent);
    return script.end ?? 'closed';
  };
  return { read, calls };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('JobStreams', () => {
  const seen: string[] = [];
  const refused: string[] = [];
  const options = (read: ReadEvents) => ({
    read,
    token: 't0k',
    onSummary: (s: ProwJobSummary, event: string) => void seen.push(`${s.job_name} ${event} ${s.state}`),
    onRefused: (name: string, err: unknown) => void refused.push(`${name} ${(err as { status: number }).status}`),
    sleep: async () => undefined,
  });
  beforeEach(() => {
    seen.length = 0;
    refused.length = 0;
  });

  it('follows a job to its end and stops: no reconnect after an event that says it ended', async () => {
    const svc = fakeService({ a: [{ events: [{ id: '1', state: 'pending' }, { id: '2', state: 'success', ended: true }] }] });
    const streams = new JobStreams(options(svc.read));
    streams.follow(['a']);
    await settle();
    expect(seen).toEqual(['a status pending', 'a status success']);
    expect(svc.calls).toEqual([{ url: '/prowjobs/a/events', lastEventId: undefined, token: 't0k' }]);
    expect(streams.following).toEqual([]);
    streams.follow(['a']); // an ended job is not followed again, even when a stale list still says it runs
    await settle();
    expect(svc.calls).toHaveLength(1);
  });

  it('reopens a stream the service closed before the end with Last-Event-ID, and stops on 204', async () => {
    const svc = fakeService({ a: [{ events: [{ id: '5', state: 'pending' }] }, { events: [{ id: '9', state: 'pending', description: 'still going' }] }, { end: 'no-content' }] });
    const streams = new JobStreams(options(svc.read));
    streams.follow(['a']);
    await settle();
    await settle();
    expect(svc.calls.map((c) => c.lastEventId)).toEqual([undefined, '5', '9']);
    expect(streams.following).toEqual([]);
  });

  it('tries again after a failure the service may get over (5xx, unreachable), from the last event', async () => {
    const svc = fakeService({ a: [{ events: [{ id: '3' }], refuse: undefined, end: 'closed' }, { refuse: { status: 503, message: 'KUBE_UNAVAILABLE' } }, { events: [{ id: '4', state: 'failure', ended: true }] }] });
    const streams = new JobStreams(options(svc.read));
    streams.follow(['a']);
    for (let i = 0; i < 4; i++) await settle();
    expect(svc.calls.map((c) => c.lastEventId)).toEqual([undefined, '3', '3']);
    expect(seen).toEqual(['a status pending', 'a status failure']);
    expect(refused).toEqual([]);
  });

  it('gives up on a refusal (403, 404) at once and says so, once', async () => {
    const svc = fakeService({ a: [{ refuse: { status: 403, message: 'it-trigger may not read job a' } }], b: [{ refuse: { status: 404, message: 'ProwJob b not found' } }] });
    const streams = new JobStreams(options(svc.read));
    streams.follow(['a', 'b']);
    await settle();
    streams.follow(['a', 'b']);
    await settle();
    expect(refused).toEqual(['a 403', 'b 404']);
    expect(svc.calls).toHaveLength(2);
  });

  it('follows exactly the jobs it is told to: closes the streams of the others, and everything on close', async () => {
    const svc = fakeService({});
    const streams = new JobStreams(options(svc.read));
    streams.follow(['a', 'b']);
    expect(streams.following).toEqual(['a', 'b']);
    streams.follow(['b', 'c']);
    expect(streams.following).toEqual(['b', 'c']);
    expect(svc.calls.map((c) => c.url)).toEqual(['/prowjobs/a/events', '/prowjobs/b/events', '/prowjobs/c/events']);
    streams.close();
    await settle();
    expect(streams.following).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('reports a deleted job with its last state and stops', async () => {
    const svc = fakeService({ a: [{ events: [{ id: '8', event: 'deleted', state: 'success', ended: true }] }] });
    new JobStreams(options(svc.read)).follow(['a']);
    await settle();
    expect(seen).toEqual(['a deleted success']);
    expect(svc.calls).toHaveLength(1);
  });
});
