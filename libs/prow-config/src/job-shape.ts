import { RESERVED_LABELS, isValidLabelValue } from '@ci-stack/prowjob-api';
import { compileGoRegex } from './branches';

export type JobKind = 'presubmit' | 'postsubmit' | 'periodic';

const STRING_FIELDS = [
  'name', 'agent', 'cluster', 'namespace', 'path_alias', 'clone_uri', 'context', 'rerun_command', 'trigger',
  'run_if_changed', 'skip_if_only_changed', 'cron', 'interval', 'minimum_interval', 'job_queue_name',
];
const BOOL_FIELDS = ['decorate', 'always_run', 'optional', 'skip_report', 'skip_submodules', 'skip_fetch_head', 'hidden', 'error_on_eviction'];
const COUNT_FIELDS = ['max_concurrency', 'clone_depth'];
const LIST_FIELDS = ['branches', 'skip_branches', 'tags'];
const MAP_FIELDS = ['labels', 'annotations'];
const OBJECT_FIELDS = ['spec', 'decoration_config', 'reporter_config', 'rerun_auth_config', 'prowjob_defaults', 'pipeline_run_spec', 'tekton_pipeline_run_spec'];
const REGEX_FIELDS = ['run_if_changed', 'skip_if_only_changed', 'trigger'];
const AGENTS = ['kubernetes', 'jenkins', 'tekton-pipeline'];
const JOB_NAME = /^[A-Za-z0-9-._]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/**
 * Checks one job's fields against the types Prow's Go structs would accept, plus Prow's load-time rules (name
 * syntax, reserved labels, regexes, periodic schedule, agent). Returns every problem as a message; an empty list
 * means the object can be used as a job. Unknown fields are kept and ignored, as Prow's YAML decoding does.
 */
export function checkJobShape(raw: unknown, kind: JobKind): string[] {
  if (!isObject(raw)) return [`a ${kind} must be a mapping, got ${typeName(raw)}`];
  const problems: string[] = [];
  const expect = (fields: string[], ok: (v: unknown) => boolean, what: string): void => {
    for (const f of fields) {
      if (raw[f] !== undefined && raw[f] !== null && !ok(raw[f])) problems.push(`${f} must be ${what}, got ${typeName(raw[f])}`);
    }
  };
  expect(STRING_FIELDS, (v) => typeof v === 'string', 'a string');
  expect(BOOL_FIELDS, (v) => typeof v === 'boolean', 'true or false');
  expect(COUNT_FIELDS, (v) => Number.isInteger(v), 'an integer');
  expect(LIST_FIELDS, (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'a list of strings');
  expect(MAP_FIELDS, (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'), 'a map of strings');
  expect(OBJECT_FIELDS, isObject, 'a mapping');
  expect(['extra_refs'], (v) => Array.isArray(v) && v.every((r) => isObject(r) && typeof r.org === 'string' && typeof r.repo === 'string'), 'a list of refs with org and repo');
  for (const f of COUNT_FIELDS) if (Number.isInteger(raw[f]) && (raw[f] as number) < 0) problems.push(`${f} must not be negative, got ${String(raw[f])}`);
  if (typeof raw.name !== 'string' || raw.name === '') problems.push('name is required');
  else if (!JOB_NAME.test(raw.name)) problems.push(`name ${JSON.stringify(raw.name)} must match ${JOB_NAME.source}`);
  if (typeof raw.agent === 'string' && raw.agent !== '' && !AGENTS.includes(raw.agent)) problems.push(`agent must be one of ${AGENTS.join(', ')}, got ${JSON.stringify(raw.agent)}`);
  problems.push(...checkLabels(raw.labels), ...checkRegexes(raw), ...checkSpec(raw));
  if (kind === 'periodic') problems.push(...checkSchedule(raw));
  return problems;
}

function checkLabels(labels: unknown): string[] {
  if (!isObject(labels)) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (RESERVED_LABELS.includes(key)) problems.push(`label ${key} is reserved for Prow`);
    else if (!LABEL_KEY.test(key)) problems.push(`label key ${JSON.stringify(key)} is not a valid Kubernetes label key`);
    if (typeof value === 'string' && !isValidLabelValue(value)) problems.push(`label ${key} has an invalid value ${JSON.stringify(value)}`);
  }
  return problems;
}

function checkRegexes(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const tryCompile = (field: string, pattern: string): void => {
    try {
      compileGoRegex(pattern);
    } catch (err) {
      problems.push(`${field}: invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
  };
  for (const f of ['branches', 'skip_branches']) {
    const list = raw[f];
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) list.forEach((p) => tryCompile(f, p));
  }
  for (const f of REGEX_FIELDS) if (typeof raw[f] === 'string' && raw[f] !== '') tryCompile(f, raw[f] as string);
  return problems;
}

function checkSpec(raw: Record<string, unknown>): string[] {
  const agent = raw.agent ?? 'kubernetes';
  if (agent !== 'kubernetes') return [];
  if (raw.spec === undefined || raw.spec === null) return ['a kubernetes job needs a pod spec (spec)'];
  if (!isObject(raw.spec)) return [];
  const containers = raw.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return ['spec.containers must list at least one container'];
  if (!containers.every(isObject)) return ['spec.containers must be a list of mappings'];
  return [];
}

function checkSchedule(raw: Record<string, unknown>): string[] {
  const set = ['cron', 'interval', 'minimum_interval'].filter((f) => typeof raw[f] === 'string' && raw[f] !== '');
  if (set.length !== 1) return [`a periodic needs exactly one of cron, interval or minimum_interval, has ${set.length ? set.join(', ') : 'none'}`];
  return [];
}
