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
 * seconds, as elsewhere in our flags). The contract also lets through numbers without a unit between others
 * (`1h30`), which no duration parser reads: those are the caller's to fix, a 400.
 */
export function toDate(name: string, value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return new Date(Date.parse(value));
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    throw new ValidationError(`'${name}' must be a duration with a unit after every number (24h, 1h30m; a bare number is seconds) or an RFC 3339 time, got ${JSON.stringify(value)}`);
  }
  return new Date(now.getTime() - ms);
}
