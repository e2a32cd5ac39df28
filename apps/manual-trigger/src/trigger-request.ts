import { PROWJOB_TYPES, type ProwJobType } from '@ci-stack/prowjob-api';
import { ValidationError } from '@ci-stack/service-kit';

/** A validated trigger request. */
export interface TriggerRequest {
  org: string;
  repo: string;
  baseRef: string;
  type: Exclude<ProwJobType, 'batch'>;
  job: string;
  pullRequest?: number;
  user?: string;
  baseSha?: string;
  pullSha?: string;
  env: Record<string, string>;
}

const TRIGGER_TYPES: readonly string[] = PROWJOB_TYPES.filter((t) => t !== 'batch');
const STRING_FIELDS = ['org', 'repo', 'base_ref', 'prowtype', 'prowjob', 'user', 'base_sha', 'pull_sha'] as const;
const MAX_FIELD = 256;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA = /^[0-9a-fA-F]{7,64}$/;

/**
 * Merges query parameters and the body (JSON or form; body wins) and validates them, collecting every problem.
 * Messages for the original checks are kept word for word.
 */
export function parseTriggerRequest(query: Record<string, unknown>, body: unknown): TriggerRequest {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new ValidationError('request body must be a JSON object');
  }
  const raw: Record<string, unknown> = { ...query, ...(body as Record<string, unknown> | undefined) };
  const problems: string[] = [];
  const malformed = new Set<string>();
  const str = (field: (typeof STRING_FIELDS)[number]): string | undefined => {
    const value = raw[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push(`'${field}' must be a string, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      malformed.add(field);
      return undefined;
    }
    if (value.length > MAX_FIELD) problems.push(`'${field}' is longer than ${MAX_FIELD} characters`);
    return value.trim();
  };
  const fields = Object.fromEntries(STRING_FIELDS.map((f) => [f, str(f)])) as Record<(typeof STRING_FIELDS)[number], string | undefined>;
  const type = fields.prowtype;
  if (type !== undefined && !TRIGGER_TYPES.includes(type)) {
    problems.push(`Invalid prowtype '${type}': must be one of ${TRIGGER_TYPES.join(', ')}`);
  }
  const required = type === 'periodic' ? ['prowjob'] : ['org', 'repo', 'base_ref', 'prowtype', 'prowjob'];
  const missing = required.filter((f) => fields[f as keyof typeof fields] === undefined && !malformed.has(f));
  if (missing.length) problems.push(`Missing required parameters: ${missing.join(', ')}`);
  const pullRequest = parsePull(raw.pullrequest, problems);
  if (type === 'presubmit' && pullRequest === undefined && !problems.some((p) => p.startsWith("'pullrequest'"))) {
    problems.push("Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter.");
  }
  for (const f of ['base_sha', 'pull_sha'] as const) {
    if (fields[f] !== undefined && !SHA.test(fields[f] as string)) problems.push(`'${f}' must be a git commit SHA (7 to 64 hex digits)`);
  }
  const env = parseEnv(raw.env, problems);
  if (problems.length) throw new ValidationError(problems.join('; '), problems);
  return {
    org: fields.org ?? '',
    repo: fields.repo ?? '',
    baseRef: fields.base_ref ?? '',
    type: (type ?? 'periodic') as TriggerRequest['type'],
    job: fields.prowjob as string,
    pullRequest,
    user: fields.user,
    baseSha: fields.base_sha,
    pullSha: fields.pull_sha,
    env,
  };
}

function parsePull(value: unknown, problems: string[]): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    problems.push(`'pullrequest' must be a positive integer, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}

/** `env` as a JSON object, or as repeated `env=NAME=value` query/form parameters. */
function parseEnv(value: unknown, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  let entries: Array<[string, unknown]>;
  if (typeof value === 'string' || Array.isArray(value)) {
    const list = (Array.isArray(value) ? value : [value]).map(String);
    entries = list.map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 ? [pair.slice(0, eq), pair.slice(eq + 1)] : [pair, undefined];
    });
  } else if (typeof value === 'object') {
    entries = Object.entries(value as Record<string, unknown>);
  } else {
    problems.push("'env' must map variable names to string values");
    return {};
  }
  // Variable names come from the caller: `__proto__` is a valid one, so no prototype to collide with.
  const env: Record<string, string> = Object.create(null);
  for (const [name, v] of entries) {
    if (!ENV_NAME.test(name)) problems.push(`env name ${JSON.stringify(name)} is not a valid variable name`);
    else if (typeof v !== 'string') problems.push(`env ${name} must be a string value`);
    else if (v.length > 4096) problems.push(`env ${name} is longer than 4096 characters`);
    else env[name] = v;
  }
  return env;
}
