import { prowJobOpsRoutes } from '@ci-stack/manual-trigger-api';
import { ValidationError } from '@ci-stack/core';
import { valid } from '../http-body';
import { mergeFields, toDate } from './fields';
import { type ListFilters, filtersOf } from './list-request';

/** States a bulk abort may select by: the ones that have not ended. */
export const ABORT_STATES = ['scheduling', 'triggered', 'pending'] as const;

/** `POST /prowjobs/NAME/abort` with an optional `reason`. */
export function parseAbortRequest(query: Record<string, unknown>, body: unknown): { reason?: string } {
  return { reason: valid(prowJobOpsRoutes.abort.params, mergeFields(query, body)).reason };
}

export interface BulkAbortRequest {
  filters: ListFilters;
  dryRun: boolean;
  reason?: string;
}

/** `POST /prowjobs/abort`: the list's filters plus `older_than`; at least one of them, so nobody aborts everything by accident. */
export function parseBulkAbortRequest(query: Record<string, unknown>, body: unknown, now: Date): BulkAbortRequest {
  const fields = mergeFields(query, body);
  const p = valid(prowJobOpsRoutes.abortMatching.params, fields);
  const problems: string[] = [];
  if (fields.older_than === '') problems.push("'older_than' is empty: give a duration (2h) or an RFC 3339 time");
  const filters: ListFilters = { ...filtersOf(p, now), olderThan: toDate('older_than', p.older_than, now) };
  if (filters.state && !(ABORT_STATES as readonly string[]).includes(filters.state)) {
    problems.push(`state ${filters.state} has ended: a bulk abort considers only ${ABORT_STATES.join(', ')} ProwJobs`);
  }
  if (problems.length) throw new ValidationError(problems.join('; '), problems);
  const { all: _all, ...selecting } = filters;
  if (Object.values(selecting).every((v) => v === undefined)) {
    throw new ValidationError('a bulk abort needs at least one filter: job, state, type, org, repo, triggered_by, since or older_than');
  }
  return { filters, dryRun: p.dry_run, reason: p.reason };
}
