import { z } from 'zod';
import { PROWJOB_TYPES, type ProwJobType } from '@ci-stack/prowjob-api';

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
  /** Build the ProwJob and answer with it, creating nothing (the console's preview). */
  dryRun: boolean;
}

export const TRIGGER_TYPES = PROWJOB_TYPES.filter((t): t is TriggerRequest['type'] => t !== 'batch');
type StringField = 'org' | 'repo' | 'base_ref' | 'prowtype' | 'prowjob' | 'user' | 'base_sha' | 'pull_sha';
const MAX_FIELD = 256;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHA = /^[0-9a-fA-F]{7,64}$/;

/** null and "" mean "not given", as in the original service. */
const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

/**
 * The longest `base_ref` taken, in UTF-8 bytes: Git's practical limit for a ref name (a ref is a file, and most
 * filesystems cap a file name at 255 bytes). Checked before any of the job's branch patterns runs on it, so a
 * caller cannot make even a linear-time match long.
 */
export const MAX_BASE_REF_BYTES = 255;

/** What is wrong with a branch name before the config's branch patterns may see it, or undefined. */
export function baseRefProblem(ref: string): string | undefined {
  const bytes = new TextEncoder().encode(ref).length;
  return bytes > MAX_BASE_REF_BYTES ? `'base_ref' is ${bytes} bytes long, more than Git's ${MAX_BASE_REF_BYTES} for a branch name` : undefined;
}

const maxChars = (name: StringField) => (s: z.ZodString) => s.max(MAX_FIELD, `'${name}' is longer than ${MAX_FIELD} characters`);

function field(name: StringField, description: string, extra: (s: z.ZodString) => z.ZodString = (s) => s, limit = maxChars(name)) {
  const base = limit(z.string({ error: (iss) => `'${name}' must be a string, got ${Array.isArray(iss.input) ? 'a list' : typeof iss.input}` }));
  return z.preprocess(absent, extra(base).trim().optional()).describe(description);
}

const baseRefLimit = (s: z.ZodString): z.ZodString => s.refine((v) => baseRefProblem(v) === undefined, { error: (iss) => baseRefProblem(iss.input as string) }).meta({ maxLength: MAX_BASE_REF_BYTES });

const pullRequestProblem = (iss: { input?: unknown }): string => `'pullrequest' must be a positive integer, got ${JSON.stringify(iss.input)}`;

function pullRequestNumber(v: number | string): number {
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : NaN;
}

/** `env` as a JSON object, or as repeated `env=NAME=value` query/form parameters. */
function envEntries(value: unknown, ctx: z.RefinementCtx): Record<string, string> {
  let entries: Array<[string, unknown]>;
  if (typeof value === 'string' || Array.isArray(value)) {
    entries = (Array.isArray(value) ? value : [value]).map(String).map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 ? [pair.slice(0, eq), pair.slice(eq + 1)] : [pair, undefined];
    });
  } else if (typeof value === 'object' && value !== null) {
    entries = Object.entries(value);
  } else {
    ctx.addIssue({ code: 'custom', message: "'env' must map variable names to string values" });
    return {};
  }
  // Variable names come from the caller: `__proto__` is a valid one, so no prototype to collide with.
  const env: Record<string, string> = Object.create(null);
  for (const [name, v] of entries) {
    if (!ENV_NAME.test(name)) ctx.addIssue({ code: 'custom', message: `env name ${JSON.stringify(name)} is not a valid variable name` });
    else if (typeof v !== 'string') ctx.addIssue({ code: 'custom', message: `env ${name} must be a string value` });
    else if (v.length > 4096) ctx.addIssue({ code: 'custom', message: `env ${name} is longer than 4096 characters` });
    else env[name] = v;
  }
  return env;
}

const ENV_JSON_SCHEMA = {
  description: 'Environment overrides, only for names the operator allows: a JSON object, or repeated NAME=value in a query or form',
  anyOf: [
    { type: 'object', propertyNames: { pattern: ENV_NAME.source }, additionalProperties: { type: 'string', maxLength: 4096 } },
    { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*=' },
    { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*=' } },
  ],
};

/**
 * The parameters of `POST /manual-trigger`, from a JSON body, a form or the query string. Unknown fields are
 * ignored, as the original service did.
 */
export const triggerParamsSchema = z
  .looseObject({
    org: field('org', 'GitHub organisation (presubmit, postsubmit)'),
    repo: field('repo', 'Repository (presubmit, postsubmit)'),
    base_ref: field('base_ref', `Branch (presubmit, postsubmit), at most ${MAX_BASE_REF_BYTES} bytes; the job's branch filters apply`, undefined, baseRefLimit),
    prowtype: field('prowtype', 'How to run the job; postsubmit runs a presubmit job as a postsubmit', (s) => s.meta({ enum: [...TRIGGER_TYPES] })),
    prowjob: field('prowjob', 'Job name'),
    pullrequest: z
      .preprocess(absent, z.union([z.number(), z.string()], { error: pullRequestProblem }).refine((v) => !Number.isNaN(pullRequestNumber(v)), { error: pullRequestProblem }).transform(pullRequestNumber).optional())
      .meta({ description: 'Pull request number (presubmit)', anyOf: [{ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }] }),
    user: field('user', 'Sets AUTHOR in every container; defaults to the caller\'s identity'),
    base_sha: field('base_sha', 'Base commit', (s) => s.meta({ pattern: SHA.source })),
    pull_sha: field('pull_sha', 'Pull request head commit', (s) => s.meta({ pattern: SHA.source })),
    env: z.preprocess((v) => (v === null ? undefined : v), z.unknown().transform(envEntries).optional()).meta(ENV_JSON_SCHEMA),
    dry_run: z
      .preprocess(absent, z.union([z.boolean(), z.enum(['true', 'false'])], { error: (iss) => `'dry_run' must be true or false, got ${JSON.stringify(iss.input)}` }).transform((v) => v === true || v === 'true').optional())
      .meta({ description: 'true: build the ProwJob and answer with it (200, under prowjob) without creating it; the caller still needs the grant to trigger the job', anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] }),
  })
  .superRefine(crossFieldRules, { when: () => true })
  .meta({
    allOf: [
      { if: { properties: { prowtype: { const: 'periodic' } }, required: ['prowtype'] }, then: { required: ['prowjob'] }, else: { required: ['org', 'repo', 'base_ref', 'prowtype', 'prowjob'] } },
      { if: { properties: { prowtype: { const: 'presubmit' } }, required: ['prowtype'] }, then: { required: ['pullrequest'] } },
    ],
  });

/** Rules between fields, in the order the original service reported them. */
function crossFieldRules(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const text = (f: StringField): string | undefined => (typeof value[f] === 'string' ? (value[f] as string) : undefined);
  const type = text('prowtype');
  if (type !== undefined && !(TRIGGER_TYPES as readonly string[]).includes(type)) {
    ctx.addIssue({ code: 'custom', path: ['prowtype'], message: `Invalid prowtype '${type}': must be one of ${TRIGGER_TYPES.join(', ')}`, params: { order: ORDER.prowtype } });
  }
  const required: StringField[] = type === 'periodic' ? ['prowjob'] : ['org', 'repo', 'base_ref', 'prowtype', 'prowjob'];
  const missing = required.filter((f) => value[f] === undefined);
  if (missing.length) ctx.addIssue({ code: 'custom', message: `Missing required parameters: ${missing.join(', ')}`, params: { order: ORDER.missing } });
  if (type === 'presubmit' && value.pullrequest === undefined) {
    ctx.addIssue({ code: 'custom', message: "Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter.", params: { order: ORDER.presubmit } });
  }
  for (const f of ['base_sha', 'pull_sha'] as const) {
    const sha = text(f);
    if (sha !== undefined && !SHA.test(sha)) ctx.addIssue({ code: 'custom', path: [f], message: `'${f}' must be a git commit SHA (7 to 64 hex digits)`, params: { order: ORDER.sha } });
  }
}

/** Where each kind of problem goes in the message (the original order). */
const ORDER = { field: 1, prowtype: 2, missing: 3, pullrequest: 4, presubmit: 5, sha: 6, env: 7 } as const;

function orderOf(issue: z.core.$ZodIssue): number {
  const explicit = (issue as { params?: { order?: number } }).params?.order;
  if (explicit !== undefined) return explicit;
  const key = issue.path[0];
  if (key === 'pullrequest') return ORDER.pullrequest;
  if (key === 'env') return ORDER.env;
  return ORDER.field;
}

/** Problems with the request, worded and ordered as the original service reported them. */
export type TriggerParseResult = { ok: true; request: TriggerRequest } | { ok: false; problems: string[] };

/** Merges the query string and the body (body wins) and validates them, collecting every problem. */
export function parseTriggerParams(query: Record<string, unknown>, body: Record<string, unknown> | undefined): TriggerParseResult {
  const parsed = triggerParamsSchema.safeParse({ ...query, ...body });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue, i) => ({ issue, i })).sort((a, b) => orderOf(a.issue) - orderOf(b.issue) || a.i - b.i);
    return { ok: false, problems: issues.map(({ issue }) => issue.message) };
  }
  const p = parsed.data;
  return {
    ok: true,
    request: {
      org: p.org ?? '',
      repo: p.repo ?? '',
      baseRef: p.base_ref ?? '',
      type: p.prowtype as TriggerRequest['type'],
      job: p.prowjob as string,
      pullRequest: p.pullrequest,
      user: p.user,
      baseSha: p.base_sha,
      pullSha: p.pull_sha,
      env: p.env ?? {},
      dryRun: p.dry_run ?? false,
    },
  };
}
