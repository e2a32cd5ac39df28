import type { ProwJob } from '@ci-stack/prowjob-api';

/**
 * The UTC hour a ProwJob started (`YYYYMMDDHH`), as a label on the ProwJobs manual-trigger creates. The API
 * server keeps no order but names, so this label is what lets it select "recent" ones: a list reads the newest
 * hours first and stops once it has a page, instead of reading every run of a job to find the latest 50.
 */
export const CREATED_HOUR_LABEL = 'manual-trigger.ci-stack.io/created-hour';

const HOUR = 3_600_000;
/** How far back hour windows go; older ProwJobs are read in one last window (sinker keeps a week by default). */
const WEEK_HOURS = 168;
const FIRST_SPAN_HOURS = 2;

export function hourBucket(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** When a ProwJob started: `status.startTime` (what its hour label was computed from), else its creation. */
export function startedMs(pj: ProwJob): number {
  return Date.parse(pj.status?.startTime ?? '') || Date.parse(pj.metadata.creationTimestamp ?? '') || 0;
}

/** A label selector term for ProwJobs without the hour label (created before it existed): any time. */
export const UNLABELED_WINDOW = `!${CREATED_HOUR_LABEL}`;

/**
 * Plans the hour windows (label selector terms) of one list page, newest first, from the newest hour (or a
 * cursor's) back to `sinceMs`: it starts with two hours and sizes each next window from how many matches the hours
 * read so far held, at least doubling, so a sparse job takes a few reads and a busy one a small one. After a week
 * back from `anchorMs` comes one window for everything older.
 */
export class WindowPlan {
  /** Hour index 0 is the hour after the anchor's (clocks a little ahead land there); index i is i hours before it. */
  private readonly zeroHour: number;
  private readonly start: number;
  private readonly last: number;
  private next: number;
  private span = 0;
  private done = false;

  /** `startMs`: a cursor's time, where a later page starts; without one, the newest hour. */
  constructor(
    anchorMs: number,
    startMs: number | undefined,
    private readonly sinceMs?: number,
  ) {
    this.zeroHour = Math.floor(anchorMs / HOUR) + 1;
    this.start = startMs === undefined ? 0 : Math.max(0, this.indexOf(startMs));
    this.next = this.start;
    this.last = sinceMs === undefined ? WEEK_HOURS : Math.min(WEEK_HOURS, this.indexOf(sinceMs));
  }

  /**
   * The next window, sized for `wanted` more matches given `found` in the hours read so far; undefined once the
   * plan is through (past `since`, or after the window of everything older than a week).
   */
  window(found: number, wanted: number): string | undefined {
    if (this.done) return undefined;
    if (this.next > this.last) {
      this.done = true;
      const sinceWithinWeek = this.sinceMs !== undefined && this.indexOf(this.sinceMs) <= WEEK_HOURS;
      return sinceWithinWeek ? undefined : this.older();
    }
    const readHours = this.next - this.start;
    if (readHours === 0) this.span = FIRST_SPAN_HOURS;
    else if (found === 0) this.span *= 4;
    else this.span = Math.max(this.span * 2, Math.ceil((wanted * readHours * 1.5) / found));
    const first = this.next;
    this.next = Math.min(this.last + 1, first + this.span);
    const hours = Array.from({ length: this.next - first }, (_, i) => hourBucket((this.zeroHour - first - i) * HOUR));
    return `${CREATED_HOUR_LABEL} in (${hours.join(',')})`;
  }

  private indexOf(ms: number): number {
    return this.zeroHour - Math.floor(ms / HOUR);
  }

  /** Everything labelled with an hour outside the week (older, or ahead of every clock). */
  private older(): string {
    const hours = Array.from({ length: WEEK_HOURS + 1 }, (_, i) => hourBucket((this.zeroHour - i) * HOUR));
    return `${CREATED_HOUR_LABEL},${CREATED_HOUR_LABEL} notin (${hours.join(',')})`;
  }
}
