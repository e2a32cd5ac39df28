import { DNS_LABEL, ValidationError } from '@ci-stack/core';

/** Labels of a cluster, or a selector: `key → value`. A Map, because keys come from users. */
export type Labels = ReadonlyMap<string, string>;

/** Most labels one cluster or selector may carry: each one costs bytes in every stored copy of the pool. */
export const MAX_LABELS = 16;

/** The label every cluster has implicitly: its region. A selector may name it; a cluster's own labels may not. */
export const REGION_LABEL = 'region';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A DNS subdomain: DNS labels joined by dots (label by label, not one pattern with a repeated group: keys come from requests). */
function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => DNS_LABEL.test(label));
}

/** Kubernetes' rule for label keys: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
function checkKey(field: string, key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return `${field}: key ${JSON.stringify(key)} has a prefix that is not a DNS subdomain`;
  if (!NAME.test(name)) return `${field}: key ${JSON.stringify(key)} must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

function checkValue(field: string, key: string, value: string): string | undefined {
  if (!VALUE.test(value)) return `${field}: value ${JSON.stringify(value)} of ${key} must be 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

/**
 * Checks label pairs; returns every problem. `selector` allows the implicit `region` key, which a cluster's own
 * labels may not carry (its region is set with `region=`).
 */
export function checkLabels(field: string, pairs: Iterable<readonly [string, string]>, opts: { selector?: boolean } = {}): { labels: Map<string, string>; problems: string[] } {
  const labels = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, value] of pairs) {
    const problem = checkKey(field, key) ?? checkValue(field, key, value);
    if (problem) problems.push(problem);
    else if (key === REGION_LABEL && !opts.selector) problems.push(`${field}: ${REGION_LABEL} is not a label here; set the region with region=`);
    else if (labels.has(key)) problems.push(`${field}: ${key} is given twice`);
    else labels.set(key, value);
  }
  if (labels.size > MAX_LABELS) problems.push(`${field}: at most ${MAX_LABELS} labels, got ${labels.size}`);
  return { labels, problems };
}

/** Parses `k=v,k2=v2` (the form of `labels=` and of `CLUSTER_LABELS`). */
export function parseLabels(field: string, text: string, opts: { selector?: boolean } = {}): { labels: Map<string, string>; problems: string[] } {
  const pairs: Array<[string, string]> = [];
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) problems.push(`${field}: ${JSON.stringify(part)} is not key=value (write labels as k8s=1.32,gpu=true)`);
    else pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  const checked = checkLabels(field, pairs, opts);
  return { labels: checked.labels, problems: [...problems, ...checked.problems] };
}

/** Like {@link parseLabels}, throwing a 400 that lists every problem. */
export function assertLabels(field: string, text: string, opts: { selector?: boolean } = {}): Map<string, string> {
  const { labels, problems } = parseLabels(field, text, opts);
  if (problems.length) throw new ValidationError(problems.join('; '), problems);
  return labels;
}

/** `k=v,k2=v2`, sorted by key: the canonical text form. */
export function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  return [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');
}

/** Whether a cluster in `region` with `labels` satisfies the region and every label of the selector. */
export function satisfies(cluster: { region: string; labels?: Labels }, region: string | undefined, selector: Labels | undefined): boolean {
  if (region && cluster.region !== region) return false;
  if (!selector) return true;
  for (const [key, value] of selector) {
    const have = key === REGION_LABEL ? cluster.region : cluster.labels?.get(key);
    if (have !== value) return false;
  }
  return true;
}

/** Two label sets are the same (order does not matter). */
export function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  const x = a?.size ?? 0;
  if (x !== (b?.size ?? 0)) return false;
  if (x === 0) return true;
  for (const [k, v] of a as Labels) if (b?.get(k) !== v) return false;
  return true;
}
