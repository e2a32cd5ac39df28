import { prowJobOpsRoutes, manualTriggerRoutes } from '@ci-stack/manual-trigger-api';
import { ValidationError, formatGoDuration, parseDuration } from '@ci-stack/core';
import { valid } from '../http-body';

/** `GET /prowjobs/NAME/events`: where a reconnecting client left off (`Last-Event-ID`, or `last_event_id`). */
export function parseEventsRequest(lastEventIdHeader: string | undefined, query: Record<string, unknown>): { lastEventId?: string } {
  const raw = lastEventIdHeader?.trim() || valid(prowJobOpsRoutes.events.params, query).last_event_id;
  if (raw === undefined || raw === '') return {};
  if (!prowJobOpsRoutes.events.headers['Last-Event-ID'].schema.safeParse(raw).success) {
    throw new ValidationError(`Last-Event-ID must be the id of an event this stream sent (a resourceVersion), got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return { lastEventId: raw };
}

export const DEFAULT_WAIT_MS = 10 * 60_000;
export const MAX_WAIT_MS = 60 * 60_000;

/** `GET /prowjobs/NAME?wait=complete&timeout=10m`; undefined when the caller does not ask to wait. */
export function parseWaitRequest(query: Record<string, unknown>): { timeoutMs: number } | undefined {
  const { wait, timeout } = valid(manualTriggerRoutes.prowjob.params, query);
  if (wait === undefined) return undefined;
  if (timeout === undefined) return { timeoutMs: DEFAULT_WAIT_MS };
  let ms: number;
  try {
    ms = parseDuration(timeout);
  } catch {
    ms = NaN;
  }
  if (!Number.isFinite(ms) || ms < 1000 || ms > MAX_WAIT_MS) {
    throw new ValidationError(`timeout must be a duration from 1s to ${formatGoDuration(MAX_WAIT_MS * 1e6)} (e.g. 10m), got ${JSON.stringify(timeout)}`);
  }
  return { timeoutMs: ms };
}
