import { ProwLabels, isValidLabelValue, sanitizeLabelValue, truncateForLabel, type ProwJob } from '@ci-stack/prowjob-api';
import { DomainError, type Clock } from '@ci-stack/core';
import { Annotations, CREATED_BY_LABEL, TRIGGERED_BY_LABEL, identityLabelValue } from './build-prowjob';
import { decodeContinue, encodeContinue, type Cursor } from './continue-token';
import { DryRunError } from './errors';
import type { ListQuery, ProwJobApi } from './prowjob-api';
import type { ListFilters, ListRequest } from './requests/list-request';
import { UNLABELED_WINDOW, WindowPlan, startedMs } from './time-buckets';
import type { ProwJobSummary, ProwJobViews } from './views';

/** Items per request while reading a window from the API server. */
const SCAN_CHUNK = 500;

export interface ListAnswer {
  prowjobs: ProwJobSummary[];
  /** Pass back as `continue` for the next page; null on the last one. */
  continue: string | null;
}

/**
 * Lists ProwJobs newest first. The API server selects by label wherever a label carries a filter; the rest (state,
 * exact names) is checked here. The API server orders by name only, so the ProwJobs we create carry the hour they
 * started (time-buckets.ts) and a page reads the newest hours first, stopping once it has more than a page: the
 * latest 50 runs of a busy job cost about 50 objects, not all of its runs. Each read goes through the API server's
 * own limit/continue. The `continue` we hand out holds the last item (start time, name), which never changes for a
 * ProwJob: the next page starts strictly after it, so pages neither skip nor repeat while jobs come and go (a new
 * one is newer than any cursor). Later reads ask for nothing older than the first page's resourceVersion, which
 * the API server answers from its watch cache; pinning that exact resourceVersion instead took it 6 to 9 seconds
 * per read while no ProwJob changed (docs/adr/0005).
 */
export class ProwJobLister {
  constructor(private readonly deps: { prowJobs?: ProwJobApi; views: ProwJobViews; clock: Clock; chunk?: number }) {}

  async page(req: ListRequest, visible: (prowJob: ProwJob) => boolean): Promise<ListAnswer> {
    const cursor = req.continue ? decodeContinue(req.continue, req.filters, this.deps.clock.now()) : undefined;
    const filters: ListFilters = cursor ? { ...req.filters, since: cursor.sinceMs === undefined ? undefined : new Date(cursor.sinceMs) } : req.filters;
    const anchorMs = cursor?.anchorMs ?? this.deps.clock.now().getTime();
    const { items, floor } = await this.retryOnce(cursor?.resourceVersion, selectorFor(filters), (read) => this.collect(read, filters, anchorMs, { limit: req.limit, cursor, visible }));
    const shown = items.slice(0, req.limit);
    const last = shown[shown.length - 1];
    const next: Cursor | undefined = items.length > req.limit ? { resourceVersion: floor, anchorMs, startedMs: startedMs(last), name: last.metadata.name, sinceMs: filters.since?.getTime() } : undefined;
    return { prowjobs: shown.map((pj) => this.deps.views.summary(pj)), continue: next ? encodeContinue(next, req.filters) : null };
  }

  /** Every ProwJob the filters select that `visible` lets through, newest first, read now. */
  async matching(filters: ListFilters, visible: (prowJob: ProwJob) => boolean): Promise<ProwJob[]> {
    const { items } = await this.retryOnce(undefined, selectorFor(filters), (read) => this.collect(read, filters, this.deps.clock.now().getTime(), { visible }));
    return items;
  }

  /**
   * Reads hour windows newest first (see {@link WindowPlan}) until more than `limit` matches after `cursor` have
   * come from them (every window without a limit), and the unlabeled ProwJobs alongside; returns the matches,
   * newest first.
   */
  private async collect(read: WindowReader, filters: ListFilters, anchorMs: number, opts: { limit?: number; cursor?: Cursor; visible: (prowJob: ProwJob) => boolean }): Promise<ProwJob[]> {
    const { cursor } = opts;
    const keep = (pj: ProwJob): boolean => matchesFilters(pj, filters) && opts.visible(pj) && (!cursor || isAfter(pj, cursor));
    if (filters.all) return (await read('')).filter(keep).sort(newestFirst);
    const unlabeled = read(UNLABELED_WINDOW);
    unlabeled.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const plan = new WindowPlan(anchorMs, cursor?.startedMs, filters.since?.getTime());
    const wanted = opts.limit === undefined ? Infinity : opts.limit + 1;
    const timed: ProwJob[] = [];
    for (let w = plan.window(0, wanted); w && timed.length < wanted; w = plan.window(timed.length, wanted - timed.length)) {
      timed.push(...(await read(w)).filter(keep));
    }
    return [...timed, ...(await unlabeled).filter(keep)].sort(newestFirst);
  }

  /**
   * Runs `work` with a reader that reads nothing older than `resourceVersion` (or, without one, than its first
   * read); once more if an API server `continue` expires under a long read.
   */
  private async retryOnce(resourceVersion: string | undefined, selector: string, work: (read: WindowReader) => Promise<ProwJob[]>): Promise<{ items: ProwJob[]; floor: string }> {
    for (let attempt = 0; ; attempt++) {
      const reader = this.reader(resourceVersion, selector);
      try {
        const items = await work(reader.read);
        return { items, floor: reader.floor() };
      } catch (err) {
        if (!isGone(err) || attempt > 0) throw err;
      }
    }
  }

  /** Reads every ProwJob the filters' selector and a window select, through the API server's limit/continue. */
  private reader(resourceVersion: string | undefined, selector: string): { read: WindowReader; floor: () => string } {
    const api = this.deps.prowJobs;
    if (!api) throw new DryRunError('Listing ProwJobs');
    let floor = resourceVersion;
    const read: WindowReader = async (window) => {
      const base: ListQuery = { labelSelector: [selector, window].filter(Boolean).join(','), limit: this.deps.chunk ?? SCAN_CHUNK };
      let page = await api.list(floor ? { ...base, resourceVersion: floor, resourceVersionMatch: 'NotOlderThan' } : base);
      floor ??= page.resourceVersion;
      const items = [...page.items];
      while (page.continue) {
        page = await api.list({ ...base, continue: page.continue });
        items.push(...page.items);
      }
      return items;
    };
    return { read, floor: () => floor ?? '' };
  }
}

type WindowReader = (windowSelector: string) => Promise<ProwJob[]>;

/** The label selector that carries every filter a label can: ours (created, triggered-by) and Prow's. */
export function selectorFor(filters: ListFilters): string {
  const terms: string[] = [];
  const add = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '' && isValidLabelValue(value)) terms.push(`${key}=${value}`);
  };
  if (!filters.all) terms.push(`${CREATED_BY_LABEL}=true`);
  // Prow cuts and sanitizes these values the same way when it labels a ProwJob (labelsAndAnnotationsForSpec).
  add(ProwLabels.job, filters.job && sanitizeLabelValue(truncateForLabel(filters.job)));
  add(ProwLabels.type, filters.type);
  add(ProwLabels.org, filters.org && sanitizeLabelValue(filters.org));
  add(ProwLabels.repo, filters.repo && sanitizeLabelValue(filters.repo));
  add(TRIGGERED_BY_LABEL, filters.triggeredBy && identityLabelValue(filters.triggeredBy));
  return terms.join(',');
}

/** The exact check behind the selector (labels are cut and sanitized) plus what no label carries. */
export function matchesFilters(pj: ProwJob, f: ListFilters): boolean {
  const refs = pj.spec.refs ?? pj.spec.extra_refs?.[0];
  const started = startedMs(pj);
  const checks: Array<[unknown, () => boolean]> = [
    [!f.all, () => pj.metadata.labels?.[CREATED_BY_LABEL] === 'true'],
    [f.job, () => pj.spec.job === f.job],
    [f.type, () => pj.spec.type === f.type],
    [f.org, () => refs?.org === f.org],
    [f.repo, () => refs?.repo === f.repo],
    [f.triggeredBy, () => pj.metadata.annotations?.[Annotations.triggeredBy] === f.triggeredBy],
    [f.state, () => (pj.status?.state ?? 'triggered') === f.state],
    [f.since, () => started >= (f.since as Date).getTime()],
    [f.olderThan, () => started < (f.olderThan as Date).getTime()],
  ];
  return checks.every(([given, check]) => !given || check());
}

function newestFirst(a: ProwJob, b: ProwJob): number {
  return startedMs(b) - startedMs(a) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

function isAfter(pj: ProwJob, cursor: Cursor): boolean {
  const t = startedMs(pj);
  return t < cursor.startedMs || (t === cursor.startedMs && pj.metadata.name > cursor.name);
}

function isGone(err: unknown): boolean {
  return err instanceof DomainError && err.code === 'KUBE_GONE';
}
