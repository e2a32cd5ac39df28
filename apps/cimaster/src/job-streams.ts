import { ApiError, MalformedAnswerError } from '@ci-stack/http-contract';
import type { ManualTriggerClient, ProwJobSummary } from '@ci-stack/manual-trigger-api';
import { sleep, type Clock } from '@ci-stack/core';
import type { Logger } from '@ci-stack/service-kit';
import { ProwJobGoneError, type JobRequest, type JobStatus, type TriggerAnswer } from './create-cluster';
import type { ProwJobs } from './job-follower';
import type { Leadership } from './leadership';

export interface JobStreamsConfig {
  /** Streams held at once; the jobs beyond are polled. */
  maxStreams: number;
  /**
   * How long a connected stream's latest word answers `status` without a read. After that `status` reads the ProwJob
   * (`GET /prowjobs/NAME`), so a stream that silently stopped delivering costs at most one poll interval.
   */
  trustMs: number;
  /** Pause before the first reconnection of a dropped stream; it doubles with each failure, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** After manual-trigger answered that it serves no event stream (404, 405), how long until streams are tried again. */
  recheckMs?: number;
}

export interface JobStreamsDeps {
  /** Triggers jobs, and reads those without a stream (or with a stale one). */
  polling: ProwJobs;
  client: Pick<ManualTriggerClient, 'stream' | 'baseUrl'>;
  clock: Clock;
  logger: Logger;
  config: JobStreamsConfig;
  /** Streams are held by the leader only: a round that ends after leadership went opens none. */
  leadership: Leadership;
  /** Called when a followed job has ended or gone: the follower can apply the outcome now. */
  onEnd: () => void;
  /** For testing: jitter of the reconnection pauses, in [0, 1). */
  random?: () => number;
}

/** One followed ProwJob's stream and what it last said. */
/** Clean answers without a single event before a job is left to the polls. */
const EMPTY_ANSWERS_BEFORE_POLLING = 3;

interface Stream {
  readonly name: string;
  readonly stop: AbortController;
  lastEventId?: string;
  latest?: JobStatus | 'gone';
  /** When `latest` was last known to be current (an event, or a read that agreed with it). */
  confirmedAt: number;
  /** A request is open, or its events are being read. */
  open: boolean;
  /** Events are arriving on the open request. */
  connected: boolean;
  /** The job has ended or gone: nothing more will come. */
  final: boolean;
  failures: number;
  /** Answers in a row that ended cleanly without a single event. */
  emptyAnswers: number;
  done?: Promise<void>;
}

/**
 * The ProwJobs the lifecycle follows, through manual-trigger's event streams (`GET /prowjobs/NAME/events`) where
 * it can: one stream per followed job, up to `maxStreams`, each resumed with `Last-Event-ID` after a drop. `status`
 * answers from a stream's latest event and `onEnd` wakes the lifecycle when a job ends, so an outcome is applied
 * within milliseconds instead of at the next poll. Jobs without a stream (beyond the bound, a stream that is
 * reconnecting, a manual-trigger without streams) are polled as before. Streams are held on the leader only: the
 * lifecycle announces its jobs after each round, and `closeAll` ends them when leadership goes.
 */
export class JobStreams implements ProwJobs {
  private readonly streams = new Map<string, Stream>();
  /** Until then manual-trigger is taken to serve no event streams (clock time, ms). */
  private unsupportedUntil = 0;

  constructor(private readonly deps: JobStreamsDeps) {}

  /** Streams with a request open to manual-trigger now. */
  get openStreams(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.open) n++;
    return n;
  }

  trigger(req: JobRequest): Promise<TriggerAnswer> {
    return this.deps.polling.trigger(req);
  }

  async status(name: string): Promise<JobStatus> {
    const s = this.streams.get(name);
    const known = s && this.trusted(s);
    if (known === 'gone') throw new ProwJobGoneError(name);
    if (known) return known;
    const read = await this.deps.polling.status(name);
    // A read that agrees with a connected stream shows the stream is still current.
    if (s?.connected && s.latest !== 'gone' && s.latest?.state === read.state) s.confirmedAt = this.now();
    return read;
  }

  /** Opens a stream for each followed job that has none (up to the bound) and closes those of jobs no longer followed. */
  setFollowed(names: ReadonlySet<string>): void {
    const leading = this.deps.leadership.isLeader();
    for (const s of [...this.streams.values()]) if (!leading || !names.has(s.name)) this.close(s);
    if (!leading || this.now() < this.unsupportedUntil) return;
    let held = [...this.streams.values()].filter((s) => !s.final).length;
    for (const name of names) {
      if (held >= this.deps.config.maxStreams) break;
      if (this.streams.has(name)) continue;
      this.start(name);
      held++;
    }
  }

  /** Ends every stream (leadership lost, shutdown); the next `setFollowed` opens them again. */
  async closeAll(): Promise<void> {
    const all = [...this.streams.values()];
    for (const s of all) this.close(s);
    await Promise.all(all.map((s) => s.done));
  }

  private trusted(s: Stream): JobStatus | 'gone' | undefined {
    if (!s.latest) return undefined;
    if (s.final) return s.latest;
    return s.connected && this.now() - s.confirmedAt < this.deps.config.trustMs ? s.latest : undefined;
  }

  private start(name: string): void {
    const s: Stream = { name, stop: new AbortController(), confirmedAt: 0, open: false, connected: false, final: false, failures: 0, emptyAnswers: 0 };
    this.streams.set(name, s);
    s.done = this.run(s).catch((err: Error) => this.deps.logger.warn({ prowjob: name, err: err.message }, 'following the ProwJob event stream failed; polling it'));
  }

  private close(s: Stream): void {
    s.stop.abort();
    if (this.streams.get(s.name) === s) this.streams.delete(s.name);
  }

  /** Reads the stream, reconnecting after drops, until the job ends, it is no longer followed or streams are refused. */
  private async run(s: Stream): Promise<void> {
    while (!s.stop.signal.aborted && !s.final) {
      let failed = false;
      const delivered = await this.read(s).catch((err: unknown) => {
        failed = true;
        return this.failed(s, err);
      });
      if (s.final || s.stop.signal.aborted || delivered === 'refused') return;
      if (delivered > 0) s.failures = 0;
      // An answer without events (a 204, or a stream ended on shutdown) or a failure: pause, growing, then resume.
      else s.failures++;
      s.emptyAnswers = delivered === 0 && !failed ? s.emptyAnswers + 1 : 0;
      // Answers without any event and without an error (204: manual-trigger says nothing more will come) leave the
      // job to the polls, which read its end, instead of asking again for as long as it is followed.
      if (s.emptyAnswers >= EMPTY_ANSWERS_BEFORE_POLLING) return;
      await sleep(this.backoff(s.failures), s.stop.signal);
    }
  }

  /** One request: applies its events; resolves with how many arrived. */
  private async read(s: Stream): Promise<number> {
    let delivered = 0;
    s.open = true;
    try {
      const events = this.deps.client.stream('events', { name: s.name }, { lastEventId: s.lastEventId, signal: s.stop.signal });
      for await (const event of events) {
        delivered++;
        s.connected = true;
        s.lastEventId = event.id ?? s.lastEventId;
        if (event.event === 'deleted') this.record(s, 'gone');
        else if (event.event === 'status') this.record(s, statusOf(event.data), event.data.ended);
        if (s.final) break;
      }
    } finally {
      s.open = false;
      s.connected = false;
    }
    return delivered;
  }

  private record(s: Stream, latest: JobStatus | 'gone', ended = true): void {
    s.latest = latest;
    s.confirmedAt = this.now();
    if (!ended) return;
    s.final = true;
    this.deps.onEnd();
  }

  /** Sorts out a failed request: the job is gone, streams are not served, or a pause and another try (0 events). */
  private failed(s: Stream, err: unknown): number | 'refused' {
    if (s.stop.signal.aborted) return 0;
    if (err instanceof ApiError && err.status === 404 && err.code === 'PROWJOB_NOT_FOUND') {
      this.record(s, 'gone');
      return 0;
    }
    if (servesNoStreams(err)) {
      this.fallBack(err as ApiError | MalformedAnswerError);
      return 'refused';
    }
    const fields = { prowjob: s.name, attempt: s.failures + 1, err: (err as Error).message };
    if (s.failures === 0) this.deps.logger.info(fields, 'ProwJob event stream failed; polling it until the stream resumes');
    else this.deps.logger.debug(fields, 'ProwJob event stream failed again');
    return 0;
  }

  /** manual-trigger predates event streams: every job is polled until `recheckMs` has passed. */
  private fallBack(err: ApiError | MalformedAnswerError): void {
    const recheckMs = this.deps.config.recheckMs ?? 10 * 60_000;
    if (this.now() >= this.unsupportedUntil) {
      this.deps.logger.warn({ url: this.deps.client.baseUrl, status: err.status, recheckSeconds: recheckMs / 1000 }, 'manual-trigger serves no ProwJob event streams; polling every job');
    }
    this.unsupportedUntil = this.now() + recheckMs;
    for (const s of [...this.streams.values()]) if (!s.final) this.close(s);
  }

  private backoff(failures: number): number {
    const base = this.deps.config.retryBaseMs ?? 1000;
    const ms = Math.min(base * 2 ** Math.max(0, failures - 1), this.deps.config.retryMaxMs ?? 30_000);
    // ±20 %, so that streams dropped together (manual-trigger restarting) do not all come back at once.
    return ms * (0.8 + 0.4 * (this.deps.random ?? Math.random)());
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}

function statusOf(summary: ProwJobSummary): JobStatus {
  return { state: summary.state, description: summary.description, log_link: summary.log_link };
}

/** An older manual-trigger: no such route (404 without PROWJOB_NOT_FOUND) or method (405). */
function servesNoStreams(err: unknown): boolean {
  if (!(err instanceof ApiError || err instanceof MalformedAnswerError)) return false;
  if (err.status === 405) return true;
  return err.status === 404 && !(err instanceof ApiError && err.code === 'PROWJOB_NOT_FOUND');
}
