import type { Request } from 'express';
import type { z } from 'zod';
import { ValidationError } from '@ci-stack/core';
import { InvalidJsonError } from './errors';

/**
 * The body as JSON when it looks like JSON whatever its Content-Type (the original clients post JSON with curl's
 * default form type), as a form when it is one, else nothing.
 */
export function decodeBody(req: Request): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8').trim() : '';
  if (raw === '') return undefined;
  if (raw.startsWith('{') || raw.startsWith('[') || req.is('application/json')) {
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw new InvalidJsonError((err as Error).message);
    }
  }
  if (req.is('application/x-www-form-urlencoded')) {
    // Field names come from the caller: own keys only, or `constructor` would find Object.
    const form: Record<string, string | string[]> = Object.create(null);
    for (const [key, value] of new URLSearchParams(raw)) {
      const prev = form[key];
      form[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return form;
  }
  throw new ValidationError(`unsupported request body of type ${req.get('content-type') ?? 'unknown'}: send JSON or a form`);
}

/** Input checked with a route's schema; every problem becomes one 400. */
export function valid<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => i.message);
  throw new ValidationError(problems.join('; '), problems);
}

/** The `Idempotency-Key` header, if any; 400 unless the route's header schema accepts it. */
export function idempotencyKey(req: Request, schema: z.ZodType): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !schema.safeParse(key).success) throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters');
  return key;
}
