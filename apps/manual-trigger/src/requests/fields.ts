import { ValidationError, parseDuration } from '@ci-stack/core';

/** Request fields: query parameters and the body (a JSON object or a form), the body winning. */
export type Fields = Record<string, unknown>;

export function mergeFields(query: Record<string, unknown>, body: unknown): Fields {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new ValidationError('request body must be a JSON object');
  }
  return { ...query, ...(body as Fields | undefined) };
}

/**
 * A point in time the contract has checked: an RFC 3339 time, or a duration back from `now` (a bare number is
 * seconds, as elsewhere in our flags).
 */
export function toDate(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(Date.parse(value)) : new Date(now.getTime() - parseDuration(value));
}
