import { z } from 'zod';

/** null and "" mean "not given". */
export const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

const PROWJOB_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A ProwJob name (a Kubernetes object name). */
export const prowJobName = z.string().regex(PROWJOB_NAME, 'ProwJob name must be a Kubernetes object name').describe('ProwJob name');

/** Optional text, trimmed, at most `max` characters. */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred zod type is what the typed client reads
export function text(name: string, description: string, max = 256) {
  return z
    .preprocess(absent, z.string({ error: (iss) => `'${name}' must be a string, got ${Array.isArray(iss.input) ? 'a list' : typeof iss.input}` }).max(max, `'${name}' is longer than ${max} characters`).trim().optional())
    .describe(description);
}

/** One of a fixed set of values. */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred zod type is what the typed client reads
export function oneOf(name: string, values: readonly string[], description: string) {
  return z
    .preprocess(absent, z.string().refine((v) => values.includes(v.trim()), { error: (iss) => `unknown ${name} '${String(iss.input)}': must be one of ${values.join(', ')}` }).optional())
    .meta({ description, type: 'string', enum: [...values] });
}

const TIMESTAMP_BODY = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`;
const TIMESTAMP = new RegExp(`^${TIMESTAMP_BODY}$`);
/**
 * A duration: numbers (`\d+` with an optional `.\d+`), each with an optional unit (ns, us, µs, ms, s, m, h, d),
 * one after another. The obvious pattern, `^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d)?)+$`, backtracks exponentially on
 * `111…1x` (every run of digits splits into numbers in 2^n ways). This one accepts the same strings one character
 * at a time, each alternative starting with a different character and checking only its neighbours: a digit; a
 * dot between digits (never a second dot after one digit: `1.2.3` is no number, `1.23.4` is 1.2 then 3.4); n, u or
 * µ after a digit and before s; m, h or d after a digit; s after a digit or n, u, µ, m.
 */
const DURATION_BODY = String.raw`(?!.*\.\d\.)\d(?:\d|(?<=\d)\.(?=\d)|(?<=\d)[nuµ](?=s)|(?<=\d)[mhd]|(?<=[\dnuµm])s)*`;
const DURATION = new RegExp(`^${DURATION_BODY}$`);
const TIME_OR_DURATION = `${TIMESTAMP_BODY}|${DURATION_BODY}`;

/** Whether `v` is an RFC 3339 time that names a real instant, or a Go-style duration. */
export function isTimeOrDuration(v: string): boolean {
  return (TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v))) || DURATION.test(v);
}

/** A point in time: an RFC 3339 time, or a duration back from now (converted by the service, which knows now). */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred zod type is what the typed client reads
export function pointInTime(name: string, description: string) {
  return z
    .preprocess(
      absent,
      z
        .string({ error: (iss) => `'${name}' must be a string, got ${Array.isArray(iss.input) ? 'a list' : typeof iss.input}` })
        .trim()
        .refine(isTimeOrDuration, { error: (iss) => `'${name}' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got ${JSON.stringify(iss.input)}` })
        .optional(),
    )
    .meta({ type: 'string', pattern: `^(${TIME_OR_DURATION})$`, description: `${description}: an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m)` });
}

/** true or false (also as the strings true, false, 1, 0). */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred zod type is what the typed client reads
export function flag(name: string, description: string) {
  return z
    .preprocess(absent, z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False'])], { error: (iss) => `'${name}' must be true or false, got ${JSON.stringify(iss.input)}` }).optional())
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'TRUE' || v === 'True')
    .meta({ description, anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', '1', '0'] }] });
}

/** An integer from `min` to `max` (also as a string of digits). */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the inferred zod type is what the typed client reads
export function integer(name: string, min: number, max: number, description: string) {
  return z
    .preprocess(
      absent,
      z
        .unknown()
        .transform((v, ctx) => {
          const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
          if (Number.isInteger(n) && n >= min && n <= max) return n;
          ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}` });
          return z.NEVER;
        })
        .optional(),
    )
    .meta({ description, type: 'integer', minimum: min, maximum: max });
}

/** `GET /prowjobs/{name}?wait=complete&timeout=10m`: wait until the ProwJob has ended. */
export const waitParams = z
  .looseObject({
    wait: z
      .preprocess(absent, z.literal('complete', { error: (iss) => `unknown wait ${JSON.stringify(iss.input)}: the only value is 'complete'` }).optional())
      .meta({ description: 'complete: answer once the ProwJob has ended (or the timeout passes)', type: 'string', enum: ['complete'] }),
    timeout: text('timeout', 'How long to wait: a duration from 1s to 1h (default 10m)').meta({ pattern: `^${DURATION_BODY}$` }),
  })
  .refine((p) => p.timeout === undefined || p.wait !== undefined, { error: 'timeout needs wait=complete' });
