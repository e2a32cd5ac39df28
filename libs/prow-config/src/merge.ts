import type { DecorationConfig, JobBase, KubeObject, PodSpec } from '@ci-stack/prowjob-api';

type Obj = Record<string, unknown>;

/** Which of `merged`'s fields count as unset, so that they take `def`'s value. */
interface Unset {
  /** A pointer or a list Go compares with nil: absent. */
  nil?: string[];
  /** A string Go compares with "": absent or empty. */
  empty?: string[];
  /** A list Go checks with len() == 0: absent or empty. */
  emptyList?: string[];
}

function fill(merged: Obj, def: Obj, unset: Unset): void {
  const take = (f: string, isUnset: (v: unknown) => boolean): void => {
    if (isUnset(merged[f]) && def[f] !== undefined) merged[f] = def[f];
  };
  for (const f of unset.nil ?? []) take(f, (v) => v === undefined);
  for (const f of unset.empty ?? []) take(f, (v) => (v ?? '') === '');
  for (const f of unset.emptyList ?? []) take(f, (v) => ((v as unknown[] | undefined)?.length ?? 0) === 0);
}

/** The common start of Prow's ApplyDefault methods: nil stays nil, one side alone is copied. */
function start(own: Obj | undefined, def: Obj | undefined): { merged?: Obj; done: boolean } {
  if (own === undefined && def === undefined) return { done: true };
  const merged = { ...(own ?? def) };
  return { merged, done: own === undefined || def === undefined };
}

function utilityImages(own: Obj | undefined, def: Obj | undefined): Obj | undefined {
  if (own === undefined || def === undefined) return own ?? def;
  const merged = { ...own };
  fill(merged, def, { empty: ['clonerefs', 'initupload', 'entrypoint', 'sidecar'] });
  return merged;
}

function resources(own: Obj | undefined, def: Obj | undefined): Obj | undefined {
  if (own === undefined || def === undefined) return own ?? def;
  const merged = { ...own };
  fill(merged, def, { nil: ['clonerefs', 'initupload', 'place_entrypoint', 'sidecar'] });
  return merged;
}

function gcsConfiguration(own: Obj | undefined, def: Obj | undefined): Obj | undefined {
  const { merged, done } = start(own, def);
  if (done || !merged || !def) return merged;
  fill(merged, def, { empty: ['bucket', 'path_prefix', 'path_strategy', 'default_org', 'default_repo', 'job_url_prefix', 'local_output_dir'], nil: ['compress_file_types'] });
  const defTypes = def.mediaTypes as Obj | undefined;
  if (defTypes && Object.keys(defTypes).length > 0) merged.mediaTypes = { ...((merged.mediaTypes as Obj | undefined) ?? {}), ...defTypes };
  return merged;
}

function censoringOptions(own: Obj | undefined, def: Obj | undefined): Obj | undefined {
  const { merged, done } = start(own, def);
  if (done || !merged || !def) return merged;
  fill(merged, def, { nil: ['censoring_concurrency', 'censoring_buffer_size', 'include_directories', 'exclude_directories'] });
  return merged;
}

const DECORATION_POINTERS = [
  'timeout', 'grace_period', 'gcs_credentials_secret', 's3_credentials_secret', 'default_service_account_name', 'skip_cloning',
  'cookiefile_secret', 'oauth_token_secret', 'github_app_private_key_secret', 'censor_secrets', 'upload_ignores_interrupts',
  'set_limit_equals_memory_request', 'default_memory_request', 'pod_pending_timeout', 'pod_running_timeout',
  'pod_unscheduled_timeout', 'run_as_user', 'run_as_group', 'fs_group', 'blobless_fetch',
];

/** Prow's DecorationConfig.ApplyDefault: what `own` leaves unset comes from `def`, field by field as Prow does. */
export function applyDecorationDefault(own: DecorationConfig | undefined, def: DecorationConfig | undefined): DecorationConfig | undefined {
  const { merged, done } = start(own, def);
  if (done || !merged || !def) return merged as DecorationConfig | undefined;
  merged.utility_images = utilityImages(merged.utility_images as Obj | undefined, def.utility_images);
  merged.resources = resources(merged.resources as Obj | undefined, def.resources as Obj | undefined);
  merged.gcs_configuration = gcsConfiguration(merged.gcs_configuration as Obj | undefined, def.gcs_configuration);
  merged.censoring_options = censoringOptions(merged.censoring_options as Obj | undefined, def.censoring_options as Obj | undefined);
  for (const f of ['utility_images', 'resources', 'gcs_configuration', 'censoring_options']) if (merged[f] === undefined) delete merged[f];
  fill(merged, def, { nil: DECORATION_POINTERS, emptyList: ['ssh_key_secrets', 'ssh_host_fingerprints', 'github_api_endpoints'], empty: ['github_app_id'] });
  return merged as DecorationConfig;
}

/** Prow's ProwJobDefault.ApplyDefault. */
export function applyProwJobDefault(own: KubeObject | undefined, def: KubeObject | undefined): KubeObject | undefined {
  const { merged, done } = start(own, def);
  if (done || !merged || !def) return merged;
  fill(merged, def, { nil: ['resultstore_config'], empty: ['tenant_id'] });
  return merged;
}

/** One `*_default_entries` item: applies when its repo (org, org/repo, `*` or empty) and cluster match. */
export interface DefaultEntry<T> {
  repo?: string;
  cluster?: string;
  config?: T;
}

function entryMatches(entry: DefaultEntry<unknown>, repo: string, cluster: string): boolean {
  if (entry.cluster && entry.cluster !== '*' && entry.cluster !== cluster) return false;
  if (!entry.repo || entry.repo === '*' || entry.repo === repo) return true;
  const bare = repo.replace(/^https?:\/\//, '');
  return entry.repo === bare || entry.repo === bare.split('/')[0];
}

/** Where a job runs, for matching default entries. */
export interface JobPlace {
  repo: string;
  cluster: string;
}

/** Later matching entries override earlier ones; the job's own settings override them all. */
export function resolveDefaults<T extends KubeObject>(entries: Array<DefaultEntry<T>>, place: JobPlace, own: T | undefined, apply: (own: T | undefined, def: T | undefined) => T | undefined): T | undefined {
  let merged: T | undefined;
  for (const entry of entries) {
    if (entryMatches(entry, place.repo, place.cluster)) merged = apply(entry.config, merged);
  }
  return apply(own, merged);
}

/** The old `default_decoration_configs` map (`*`, org, org/repo) as ordered entries: `*`, then orgs, then repos. */
export function entriesFromMap(map: Record<string, DecorationConfig | null>): Array<DefaultEntry<DecorationConfig>> {
  const rank = (key: string): number => (key === '*' ? 0 : key.includes('/') ? 2 : 1);
  return Object.keys(map)
    .sort((a, b) => rank(a) - rank(b))
    .map((key) => ({ repo: key, config: map[key] ?? undefined }));
}

/** A preset: label-selected env, volumes and volume mounts for every container of matching jobs. */
export interface Preset {
  labels?: Record<string, string>;
  env?: KubeObject[];
  volumes?: KubeObject[];
  volumeMounts?: KubeObject[];
}

/** Whether every preset label is on the job with the same value (a preset without labels applies to every job). */
function selects(preset: Preset, job: JobBase): boolean {
  const labels = job.labels ?? {};
  for (const key in preset.labels) {
    if (!Object.hasOwn(labels, key) || labels[key] !== preset.labels[key]) return false;
  }
  return true;
}

type Named = { name?: unknown };

/** Appends each item to every list, unless a list has an item of that name already: then returns the name. */
function appendNamed(items: KubeObject[] | undefined, lists: Named[][]): string | undefined {
  for (const item of items ?? []) {
    for (const list of lists) {
      if (list.some((existing) => existing.name === item.name)) return String(item.name);
      list.push(item);
    }
  }
  return undefined;
}

/**
 * Prow's `mergePreset`: env, volumes and volume mounts of a preset that selects the job go into every container
 * (volumes into the pod); a name already there is an error (returned as a message), never silently overwritten.
 * Items are shared with the preset, as in Prow: nothing changes a loaded job afterwards.
 */
export function mergePreset(preset: Preset, job: JobBase): string | undefined {
  const spec: PodSpec | undefined = job.spec;
  if (!spec || !selects(preset, job)) return undefined;
  const containers = spec.containers ?? [];
  if (preset.env?.length) {
    const clash = appendNamed(preset.env, containers.map((c) => (c.env ??= [])));
    if (clash !== undefined) return `env var duplicated in pod spec: ${clash}`;
  }
  if (preset.volumes?.length) {
    const clash = appendNamed(preset.volumes, [(spec.volumes ??= [])]);
    if (clash !== undefined) return `volume duplicated in pod spec: ${clash}`;
  }
  if (preset.volumeMounts?.length) {
    const clash = appendNamed(preset.volumeMounts, containers.map((c) => (c.volumeMounts ??= [])));
    if (clash !== undefined) return `volume mount duplicated in pod spec: ${clash}`;
  }
  return undefined;
}
