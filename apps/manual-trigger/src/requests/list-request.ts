import type { z } from 'zod';
import { prowJobOpsRoutes } from '@ci-stack/manual-trigger-api';
import type { ProwJobState, ProwJobType } from '@ci-stack/prowjob-api';
import { valid } from '../http-body';
import { mergeFields, toDate } from './fields';

/** Which ProwJobs a list (or a bulk abort) covers. Unset fields do not restrict. */
export interface ListFilters {
  job?: string;
  state?: ProwJobState;
  type?: ProwJobType;
  org?: string;
  repo?: string;
  triggeredBy?: string;
  /** Started at or after. */
  since?: Date;
  /** Started before (bulk abort only). */
  olderThan?: Date;
  /** Every ProwJob in the namespace, not only those manual-trigger created. */
  all: boolean;
}

export interface ListRequest {
  filters: ListFilters;
  limit: number;
  continue?: string;
}

export const DEFAULT_LIMIT = 50;

type FilterParams = Pick<z.output<typeof prowJobOpsRoutes.list.params>, 'job' | 'state' | 'type' | 'org' | 'repo' | 'triggered_by' | 'since' | 'all'>;

/** The list's filters from parameters the contract has checked. */
export function filtersOf(p: FilterParams, now: Date): ListFilters {
  return {
    job: p.job,
    state: p.state?.trim() as ProwJobState | undefined,
    type: p.type?.trim() as ProwJobType | undefined,
    org: p.org,
    repo: p.repo,
    triggeredBy: p.triggered_by,
    since: toDate('since', p.since, now),
    all: p.all,
  };
}

/** `GET /prowjobs?job=&state=&type=&org=&repo=&triggered_by=&since=&all=&limit=&continue=` (a JSON body too). */
export function parseListRequest(query: Record<string, unknown>, body: unknown, now: Date): ListRequest {
  const p = valid(prowJobOpsRoutes.list.params, mergeFields(query, body));
  return { filters: filtersOf(p, now), limit: p.limit ?? DEFAULT_LIMIT, continue: p.continue };
}
