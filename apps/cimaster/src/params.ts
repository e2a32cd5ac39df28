import type { Request } from 'express';
import { checkDnsLabel } from '@ci-stack/pool';
import { ValidationError, parseDuration } from '@ci-stack/service-kit';

type Kind = 'cluster' | 'region' | 'text' | 'hours' | 'duration';

/** The parameters an endpoint takes: their kind, and whether they are required. */
export type ParamSpec = Record<string, { kind: Kind; required?: boolean }>;

const TEXT = /^[\x20-\x7e]{1,128}$/;

/**
 * Reads parameters from the query string and a JSON or form body (body wins), rejecting unknown and malformed
 * ones, all problems at once. Names and regions must be DNS-1123 labels.
 */
export function readParams(req: Request, spec: ParamSpec): Record<string, string | number | undefined> {
  const raw: Record<string, unknown> = { ...(req.query as Record<string, unknown>), ...(isObject(req.body) ? req.body : {}) };
  const problems: string[] = [];
  // Own keys only: `in` would take constructor or __proto__ for parameters every call knows.
  const unknown = Object.keys(raw).filter((k) => !Object.hasOwn(spec, k));
  if (unknown.length) problems.push(`unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this call takes ${Object.keys(spec).join(', ') || 'none'}`);
  const out: Record<string, string | number | undefined> = {};
  for (const [name, { kind, required }] of Object.entries(spec)) {
    const value = raw[name];
    if (value === undefined || value === '') {
      if (required) problems.push(`missing parameter ${name}`);
      continue;
    }
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string') {
      problems.push(`parameter ${name} must be given once, as text`);
      continue;
    }
    const checked = check(name, kind, text);
    if (typeof checked === 'object') problems.push(checked.problem);
    else out[name] = checked;
  }
  if (problems.length) throw new ValidationError(problems.join('; '), problems);
  return out;
}

function check(name: string, kind: Kind, text: string): string | number | { problem: string } {
  switch (kind) {
    case 'cluster':
    case 'region': {
      const problem = checkDnsLabel(name, text);
      // "&region=" copied from a web page often arrives as "®ion=" (the HTML entity &reg; rendered).
      const hint = text.includes('\u00ae') ? '; it contains "®": write "&" before the next parameter (e.g. &region=), not the character ®' : '';
      return problem ? { problem: problem + hint } : text;
    }
    case 'hours': {
      const n = Number(text);
      return /^\d+(\.\d+)?$/.test(text) && n > 0 ? n : { problem: `${name} must be a positive number of hours, got ${JSON.stringify(text)}` };
    }
    case 'duration':
      try {
        return parseDuration(text);
      } catch {
        return { problem: `${name} must be a duration like 600, 90s or 10m, got ${JSON.stringify(text)}` };
      }
    default:
      return TEXT.test(text) ? text : { problem: `${name} must be 1 to 128 printable characters` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
