import type { DecorationConfig, JobBase, KubeObject, PodSpec } from '@ci-stack/prowjob-api';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Prow's `ApplyDefault` for decoration and ProwJob defaults: fields the job sets win, missing fields (recursively
 * within nested objects such as `utility_images` or `gcs_configuration`) are filled from the default.
 */
export function applyDefault<T extends KubeObject>(own: T | undefined, def: T | undefined): T | undefined {
  if (own === undefined) return def === undefined ? undefined : structuredClone(def);
  if (def === undefined) return own;
  const merged: Record<string, unknown> = { ...own };
  for (const [key, value] of Object.entries(def)) {
    // Keys come from YAML, where `constructor` and `__proto__` are keys like any other: own properties only.
    const mine = Object.hasOwn(merged, key) ? merged[key] : undefined;
    if (mine === undefined || mine === null || (Array.isArray(mine) && mine.length === 0)) setOwn(merged, key, structuredClone(value));
    else if (isPlainObject(mine) && isPlainObject(value)) setOwn(merged, key, applyDefault(mine, value));
  }
  return merged as T;
}

/** `target[key] = value` as an own property, even for `__proto__` (whose assignment would replace the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** One `*_default_entries` item: applies when its repo (org, org/repo, `*` or empty) and cluster match. */
export interface DefaultEntry<T> {
  repo?: string;
  cluster?: string;
  config: T;
}

function entryMatches(entry: DefaultEntry<unknown>, repo: string, cluster: string): boolean {
  const org = repo.split('/')[0];
  const repoOk = !entry.repo || entry.repo === '*' || entry.repo === repo || entry.repo === org;
  const clusterOk = !entry.cluster || entry.cluster === '*' || entry.cluster === cluster;
  return repoOk && clusterOk;
}

/** Later matching entries override earlier ones; the job's own settings override them all. */
export function resolveDefaults<T extends KubeObject>(entries: DefaultEntry<T>[], repo: string, cluster: string, own: T | undefined): T | undefined {
  let merged: T | undefined;
  for (const entry of entries) {
    if (entryMatches(entry, repo, cluster)) merged = applyDefault(entry.config, merged);
  }
  return applyDefault(own, merged);
}

/** The old `default_decoration_configs` map (`*`, org, org/repo) as ordered entries: general first. */
export function entriesFromMap(map: Record<string, DecorationConfig>): DefaultEntry<DecorationConfig>[] {
  const rank = (key: string): number => (key === '*' ? 0 : key.includes('/') ? 2 : 1);
  return Object.keys(map)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((key) => ({ repo: key === '*' ? '' : key, config: map[key] }));
}

/** A preset: label-selected env, volumes and volume mounts for every container of matching jobs. */
export interface Preset {
  labels?: Record<string, string>;
  env?: KubeObject[];
  volumes?: KubeObject[];
  volumeMounts?: KubeObject[];
}

/**
 * Prow's `mergePreset`: applies when every preset label equals the job's; a name that already exists in the
 * pod spec is an error (returned as a message), never silently overwritten.
 */
export function mergePreset(preset: Preset, job: JobBase): string | undefined {
  const labels = job.labels ?? {};
  for (const [key, value] of Object.entries(preset.labels ?? {})) {
    if (labels[key] !== value) return undefined;
  }
  const spec: PodSpec | undefined = job.spec;
  if (!spec) return undefined;
  const containers = spec.containers ?? [];
  for (const env of preset.env ?? []) {
    for (const c of containers) {
      if ((c.env ?? []).some((e) => e.name === env.name)) return `env var duplicated in pod spec: ${String(env.name)}`;
      c.env = [...(c.env ?? []), structuredClone(env) as { name: string }];
    }
  }
  for (const volume of preset.volumes ?? []) {
    if ((spec.volumes ?? []).some((v) => v.name === volume.name)) return `volume duplicated in pod spec: ${String(volume.name)}`;
    spec.volumes = [...(spec.volumes ?? []), structuredClone(volume)];
  }
  for (const mount of preset.volumeMounts ?? []) {
    for (const c of containers) {
      const clash = (c.volumeMounts ?? []).find((m) => m.name === mount.name || m.mountPath === mount.mountPath);
      if (clash) return `volume mount duplicated in pod spec: ${String(mount.name)}`;
      c.volumeMounts = [...(c.volumeMounts ?? []), structuredClone(mount)];
    }
  }
  return undefined;
}
