import { z } from 'zod';
import { DNS_LABEL, DNS_LABEL_MAX_LENGTH, ValidationError, checkDnsLabel, parseDuration } from '@ci-stack/core';

/** A parameter given as text and read as something else. */
export type TextAs<T> = z.ZodPipe<z.ZodString, z.ZodTransform<T, string>>;

const TEXT = /^[\x20-\x7e]{1,128}$/;
const HOURS = /^\d+(\.\d+)?$/;

const given = (name: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `missing parameter ${name}` : `parameter ${name} must be given once, as text`);

// "&region=" copied from a web page often arrives as "®ion=" (the HTML entity &reg; rendered).
const regHint = (input: unknown): string => (typeof input === 'string' && input.includes('\u00ae') ? '; it contains "®": write "&" before the next parameter (e.g. &region=), not the character ®' : '');

/** A cluster or region name: a DNS-1123 label (lowercase alphanumerics and '-', at most 63 characters). */
export function dnsLabel(name: string, description: string): z.ZodString {
  return z
    .string({ error: given(name) })
    .check((ctx) => {
      const problem = checkDnsLabel(name, ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem + regHint(ctx.value) });
    })
    .meta({ description, maxLength: DNS_LABEL_MAX_LENGTH, pattern: DNS_LABEL.source });
}

/** Free text: 1 to 128 printable ASCII characters. */
export function text(name: string, description: string): z.ZodString {
  return z
    .string({ error: given(name) })
    .regex(TEXT, `${name} must be 1 to 128 printable characters`)
    .describe(description);
}

/** Labels or a label selector, `k=v,k2=v2`: read as text here, checked key by key by the pool's label rules. */
export function labels(name: string, description: string): z.ZodString {
  return z
    .string({ error: given(name) })
    .regex(/^[\x21-\x7e]{1,2048}$/, `${name} must be k=v pairs separated by commas, e.g. k8s=1.32,gpu=true`)
    .describe(description);
}

/** A positive number of hours, e.g. 2 or 0.5. */
export function hours(name: string, description: string): TextAs<number> {
  const problem = (iss: { input?: unknown }): string => `${name} must be a positive number of hours, got ${JSON.stringify(iss.input)}`;
  return z
    .string({ error: given(name) })
    .regex(HOURS, { error: problem, abort: true })
    .refine((s) => Number(s) > 0, { error: problem })
    .transform(Number)
    .describe(description);
}

/** A duration: seconds (600) or Go style (90s, 10m, 1h30m); read as milliseconds. */
export function duration(name: string, description: string): TextAs<number> {
  return z
    .string({ error: given(name) })
    .transform((s, ctx) => {
      try {
        return parseDuration(s);
      } catch {
        ctx.issues.push({ code: 'custom', input: s, message: `${name} must be a duration like 600, 90s or 10m, got ${JSON.stringify(s)}` });
        return z.NEVER;
      }
    })
    .describe(description);
}

/**
 * Reads a call's parameters (query string and body merged, the body winning) with the route's schema. Values are
 * text, as in a query string: an empty value counts as absent and a number in a JSON body as its text. Every
 * problem is reported at once, unknown parameters first, as the original service phrased them.
 */
export function readCallParams<S extends z.ZodObject>(schema: S, query: Record<string, unknown>, body: unknown): z.output<S> {
  const raw: Record<string, unknown> = { ...query, ...(isObject(body) ? body : {}) };
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  const input: Record<string, unknown> = {};
  for (const key of known) {
    const value = raw[key];
    if (value !== undefined && value !== '') input[key] = typeof value === 'number' ? String(value) : value;
  }
  const parsed = schema.safeParse(input);
  const problems = [
    ...(unknown.length ? [`unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this call takes ${known.join(', ') || 'none'}`] : []),
    ...(parsed.success ? [] : parsed.error.issues.map((i) => i.message)),
  ];
  if (problems.length) throw new ValidationError(problems.join('; '), problems);
  return parsed.data as z.output<S>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
