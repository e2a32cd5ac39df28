import { load } from 'js-yaml';
import { checkLabels, formatLabels, type InventoryCluster, type PoolTarget } from '@ci-stack/pool';
import { FileInvalidError, WatchedFile } from '@ci-stack/service-kit';
import { checkDnsLabel } from '@ci-stack/core';

/** The declared pool: clusters that must exist, and targets the pool keeps. */
export interface Inventory {
  clusters: InventoryCluster[];
  pools: PoolTarget[];
}

/** Length of the random part of a target's cluster names. */
export const NAME_SUFFIX_LENGTH = 5;

const CLUSTER_KEYS = new Set(['name', 'region', 'labels']);
const POOL_KEYS = new Set(['region', 'labels', 'minVacant', 'maxSize', 'maxProvisioning', 'namePrefix']);
const PREFIX = /^[a-z0-9][-a-z0-9]*$/;

type Fields = Record<string, unknown>;

function isMap(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(where: string, raw: Fields, allowed: ReadonlySet<string>, problems: string[]): void {
  for (const key of Object.keys(raw)) if (!allowed.has(key)) problems.push(`${where}.${key}: unknown field; allowed: ${[...allowed].join(', ')}`);
}

function readLabels(where: string, raw: unknown, problems: string[]): Map<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMap(raw)) {
    problems.push(`${where}.labels: must be a map of key: "value"`);
    return undefined;
  }
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') problems.push(`${where}.labels.${k}: must be a string (quote it: ${k}: "${String(v)}")`);
    else pairs.push([k, v]);
  }
  const checked = checkLabels(`${where}.labels`, pairs);
  problems.push(...checked.problems);
  return checked.labels.size ? checked.labels : undefined;
}

function readRegion(where: string, raw: unknown, problems: string[]): string {
  if (typeof raw !== 'string') {
    problems.push(`${where}.region: required, a DNS-1123 label`);
    return '';
  }
  const problem = checkDnsLabel(`${where}.region`, raw);
  if (problem) problems.push(problem);
  return raw;
}

function readCluster(where: string, raw: unknown, problems: string[]): InventoryCluster | undefined {
  if (!isMap(raw)) {
    problems.push(`${where}: must be a map with name, region and labels`);
    return undefined;
  }
  unknownKeys(where, raw, CLUSTER_KEYS, problems);
  if (typeof raw.name !== 'string') problems.push(`${where}.name: required, a DNS-1123 label`);
  else {
    const problem = checkDnsLabel(`${where}.name`, raw.name);
    if (problem) problems.push(problem);
  }
  const cluster: InventoryCluster = { name: String(raw.name), region: readRegion(where, raw.region, problems) };
  const labels = readLabels(where, raw.labels, problems);
  if (labels) cluster.labels = labels;
  return cluster;
}

function count(where: string, raw: Fields, field: string, problems: string[]): number {
  const min = field === 'minVacant' ? 0 : 1;
  const value = raw[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push(`${where}.${field}: required, a whole number of at least ${min}`);
    return min;
  }
  return value;
}

function readPool(where: string, raw: unknown, problems: string[]): PoolTarget | undefined {
  if (!isMap(raw)) {
    problems.push(`${where}: must be a map with region, labels, minVacant, maxSize, maxProvisioning and namePrefix`);
    return undefined;
  }
  unknownKeys(where, raw, POOL_KEYS, problems);
  const target: PoolTarget = {
    region: readRegion(where, raw.region, problems),
    minVacant: count(where, raw, 'minVacant', problems),
    maxSize: count(where, raw, 'maxSize', problems),
    maxProvisioning: count(where, raw, 'maxProvisioning', problems),
    namePrefix: typeof raw.namePrefix === 'string' ? raw.namePrefix : '',
  };
  const labels = readLabels(where, raw.labels, problems);
  if (labels) target.labels = labels;
  if (target.minVacant > target.maxSize) problems.push(`${where}: minVacant (${target.minVacant}) must not exceed maxSize (${target.maxSize})`);
  const maxPrefix = 63 - NAME_SUFFIX_LENGTH;
  if (!PREFIX.test(target.namePrefix) || target.namePrefix.length > maxPrefix) {
    problems.push(`${where}.namePrefix: required, lowercase letters, digits and '-', starting with a letter or digit, at most ${maxPrefix} characters (cimaster appends ${NAME_SUFFIX_LENGTH} random ones)`);
  }
  return target;
}

/**
 * Parses and validates the inventory file, reporting every problem with its place at once:
 * ```yaml
 * clusters:
 *   - {name: c1, region: us-west, labels: {k8s: "1.32"}}
 * pools:
 *   - {region: us-west, labels: {k8s: "1.32"}, minVacant: 2, maxSize: 10, maxProvisioning: 2, namePrefix: usw-k8s132-}
 * ```
 */
export function parseInventory(text: string, source: string): Inventory {
  let data: unknown;
  // An empty file would remove every cluster the inventory added: demand an explicit `clusters: []`.
  const empty = `${source}: expected a map with clusters and pools (write "clusters: []" for an empty inventory)`;
  if (text.split('\n').every((line) => /^\s*(#.*)?$/.test(line))) throw new FileInvalidError(empty);
  try {
    data = load(text);
  } catch (err) {
    throw new FileInvalidError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isMap(data)) throw new FileInvalidError(empty);
  const problems: string[] = [];
  unknownKeys('inventory', data, new Set(['clusters', 'pools']), problems);
  const list = (key: string): unknown[] => {
    const v = data[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) problems.push(`${key}: must be a list`);
    return Array.isArray(v) ? v : [];
  };
  const clusters = list('clusters').flatMap((raw, i) => readCluster(`clusters[${i}]`, raw, problems) ?? []);
  const pools = list('pools').flatMap((raw, i) => readPool(`pools[${i}]`, raw, problems) ?? []);
  duplicates(clusters.map((c) => c.name), (name, i) => `clusters[${i}].name: ${name} is listed twice`, problems);
  duplicates(pools.map((p) => p.namePrefix), (prefix, i) => `pools[${i}].namePrefix: ${prefix} is used by another pool`, problems);
  duplicates(pools.map((p) => `${p.region} ${formatLabels(p.labels)}`), (_, i) => `pools[${i}]: another pool has the same region and labels (both would count the same clusters)`, problems);
  if (problems.length) throw new FileInvalidError(`${source}: ${problems.join('; ')}`);
  return { clusters, pools };
}

function duplicates(keys: string[], message: (key: string, index: number) => string, problems: string[]): void {
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key)) problems.push(message(key, i));
    seen.add(key);
  });
}

/** The inventory file, reloaded when it changes (a mounted ConfigMap); a bad version keeps the last good one. */
export class InventoryFile extends WatchedFile<Inventory> {
  constructor(
    path: string,
    private readonly onReloadError?: () => void,
  ) {
    super(path, parseInventory);
  }

  override async reload(): Promise<void> {
    await super.reload();
    if (this.lastError) this.onReloadError?.();
  }
}
