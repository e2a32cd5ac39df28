import { RESERVED_LABELS, isValidLabelValue, type JobBase } from '@ci-stack/prowjob-api';
import { joinedBranchPattern } from './branches';
import { compileGoRegex } from './go-regexp';

export type JobKind = 'presubmit' | 'postsubmit' | 'periodic';

const COUNT_FIELDS = ['max_concurrency', 'clone_depth'];
const REGEX_FIELDS = ['run_if_changed', 'skip_if_only_changed', 'trigger'];
const BRANCH_FIELDS = [
  ['branches', 'positive branch'],
  ['skip_branches', 'negative branch'],
] as const;
const AGENTS = ['kubernetes', 'jenkins', 'tekton-pipeline'];
const JOB_NAME = /^[A-Za-z0-9-._]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Prow's load-time rules for one job already read into Prow's types (name syntax, reserved labels, regexes,
 * periodic schedule, agent, a pod spec for kubernetes jobs). Returns every problem as a message; an empty list
 * means the job can be used. Fields in `unreadable` (their values did not fit Prow's types) are not looked at.
 */
export function checkJobShape(raw: JobBase, kind: JobKind, unreadable: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  for (const f of COUNT_FIELDS) if (Number.isInteger(raw[f]) && (raw[f] as number) < 0) problems.push(`${f} must not be negative, got ${String(raw[f])}`);
  problems.push(...checkName(raw.name));
  if (raw.agent && !AGENTS.includes(raw.agent)) problems.push(`agent must be one of ${AGENTS.join(', ')}, got ${JSON.stringify(raw.agent)}`);
  problems.push(...checkLabels(raw.labels), ...checkRegexes(raw), ...(unreadable.size ? [] : checkSpec(raw)));
  if (kind === 'periodic') problems.push(...checkSchedule(raw));
  return problems;
}

function checkName(name: string | undefined): string[] {
  if (!name) return ['name is required'];
  return JOB_NAME.test(name) ? [] : [`name ${JSON.stringify(name)} must match ${JOB_NAME.source}`];
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

/**
 * Prow's `SetPresubmitRegexes`/`SetPostsubmitRegexes`: each pattern compiled with Go's regexp, `branches` and
 * `skip_branches` each joined into one pattern; refusals worded as Prow words them.
 */
function checkRegexes(raw: JobBase): string[] {
  const problems: string[] = [];
  const tryCompile = (what: string, pattern: string): void => {
    try {
      compileGoRegex(pattern);
    } catch (err) {
      problems.push(`could not compile ${what} regex: ${(err as Error).message}`);
    }
  };
  for (const [field, what] of BRANCH_FIELDS) {
    const list = raw[field];
    if (Array.isArray(list) && list.length > 0) tryCompile(what, joinedBranchPattern(list as string[]));
  }
  for (const f of REGEX_FIELDS) if (typeof raw[f] === 'string' && raw[f] !== '') tryCompile(f, raw[f] as string);
  return problems;
}

function checkSpec(raw: JobBase): string[] {
  const agent = raw.agent ?? 'kubernetes';
  if (agent !== 'kubernetes') return [];
  if (raw.spec === undefined) return ['a kubernetes job needs a pod spec (spec)'];
  const containers = raw.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return ['spec.containers must list at least one container'];
  return [];
}

function checkSchedule(raw: JobBase): string[] {
  const set = ['cron', 'interval', 'minimum_interval'].filter((f) => typeof raw[f] === 'string' && raw[f] !== '');
  if (set.length !== 1) return [`a periodic needs exactly one of cron, interval or minimum_interval, has ${set.length ? set.join(', ') : 'none'}`];
  return [];
}
