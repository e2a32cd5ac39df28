import type { JobKind } from './job-shape';

// What Prow's decoration owns (pod-utils/decorate): a job may not reuse these names or paths.
const DECORATION_VOLUMES = new Set(['logs', 'code', 'tools', 'gcs-credentials', 's3-credentials']);
const DECORATION_MOUNTS_ON_TEST_CONTAINER = new Set(['logs', 'code', 'tools']);
const DECORATION_MOUNT_PATHS = new Set(['/logs', '/home/prow/go', '/tools']);
const POD_UTILITY_CONTAINERS = new Set(['clonerefs', 'initupload', 'place-entrypoint', 'sidecar']);

// The downward-API variables Prow sets for each job type; a job may not set them itself.
const BASE_ENV = ['CI', 'JOB_NAME', 'JOB_SPEC', 'JOB_TYPE', 'PROW_JOB_ID', 'BUILD_ID', 'BUILD_NUMBER'];
const REFS_ENV = ['REPO_OWNER', 'REPO_NAME', 'PULL_BASE_REF', 'PULL_BASE_SHA', 'PULL_REFS'];
const PULL_ENV = ['PULL_NUMBER', 'PULL_PULL_SHA', 'PULL_HEAD_REF', 'PULL_TITLE'];

const RESERVED_ENV: Record<JobKind, ReadonlySet<string>> = {
  periodic: new Set(BASE_ENV),
  postsubmit: new Set([...BASE_ENV, ...REFS_ENV]),
  presubmit: new Set([...BASE_ENV, ...REFS_ENV, ...PULL_ENV]),
};

export function reservedEnvFor(kind: JobKind): ReadonlySet<string> {
  return RESERVED_ENV[kind];
}

interface Named {
  name?: string;
}
interface Container extends Named {
  command?: string[];
  args?: string[];
  env?: Named[];
  volumeMounts?: Array<Named & { mountPath?: string }>;
}
/** The decoration settings the rules look at. */
interface DecorationSecrets {
  oauth_token_secret?: { name?: string };
  ssh_key_secrets?: string[];
  utility_images?: Record<string, string | undefined>;
  gcs_configuration?: { path_strategy?: string; default_org?: string; default_repo?: string };
}
interface PodSpec {
  initContainers?: unknown[];
  containers?: Container[];
  volumes?: Named[];
}

/**
 * Prow's pod spec rules (config.validatePodSpec), checked after presets are merged, every problem
 * reported rather than the first.
 */
export function podSpecProblems(kind: JobKind, spec: PodSpec | undefined, decoration: DecorationSecrets | undefined): string[] {
  if (!spec) return [];
  const decorated = decoration !== undefined;
  const secrets = [...(decoration?.oauth_token_secret?.name ? [decoration.oauth_token_secret.name] : []), ...(decoration?.ssh_key_secrets ?? [])];
  const decorationVolumes = secrets.length ? new Set([...DECORATION_VOLUMES, ...secrets]) : DECORATION_VOLUMES;
  const problems: string[] = [];
  if (spec.initContainers?.length) problems.push('pod spec may not use init containers');
  const containers = spec.containers ?? [];
  if (containers.length < 1) return [...problems, `pod spec must specify at least 1 container, found: ${containers.length}`];
  if (containers.length > 1 && !decorated) return [...problems, `pod utility decoration must be enabled to use multiple containers: ${containers.length}`];
  if (containers.length > 1) problems.push(...containerNameProblems(containers));
  const reserved = reservedEnvFor(kind);
  for (const c of containers) {
    const seen = new Set<string>();
    for (const { name = '' } of c.env ?? []) {
      if (seen.has(name)) problems.push(`env var named ${JSON.stringify(name)} is defined more than once`);
      seen.add(name);
      if (reserved.has(name)) problems.push(`env ${name} is reserved`);
    }
  }
  const volumes = new Set<string>();
  for (const { name = '' } of spec.volumes ?? []) {
    if (volumes.has(name)) problems.push(`volume named ${JSON.stringify(name)} is defined more than once`);
    volumes.add(name);
    if (decorationVolumes.has(name)) problems.push(`volume ${name} is a reserved for decoration`);
  }
  if (decoration) problems.push(...decorationProblems(decoration, containers));
  for (const c of containers) {
    for (const { name = '', mountPath = '' } of c.volumeMounts ?? []) {
      if (!volumes.has(name) && !decorationVolumes.has(name)) problems.push(`volumeMount named ${JSON.stringify(name)} is undefined`);
      if (DECORATION_MOUNTS_ON_TEST_CONTAINER.has(name)) problems.push(`volumeMount name ${name} is reserved for decoration`);
      if (DECORATION_MOUNT_PATHS.has(mountPath)) problems.push(`mount ${name} at ${mountPath} conflicts with decoration mount`);
    }
  }
  return problems;
}

function containerNameProblems(containers: Container[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const { name = '' } of containers) {
    if (name === '') problems.push('container does not have name. all containers must have names when defining multiple containers');
    if (names.has(name)) problems.push(`container named ${JSON.stringify(name)} is defined more than once`);
    names.add(name);
    if (POD_UTILITY_CONTAINERS.has(name)) problems.push(`container name ${name} is a reserved for decoration. please specify a different container name that does not conflict with pod utility container names`);
  }
  return problems;
}

const UTILITY_IMAGES = ['clonerefs', 'initupload', 'entrypoint', 'sidecar'];
const PATH_STRATEGIES = ['legacy', 'explicit', 'single'];

/** Prow's DecorationConfig.Validate: the first thing wrong with the decoration config, if anything. */
function decorationConfigProblem(decoration: DecorationSecrets): string | undefined {
  const missing = UTILITY_IMAGES.filter((image) => !decoration.utility_images?.[image]);
  const gcs = decoration.gcs_configuration;
  if (!decoration.utility_images) return 'utility image config is not specified';
  if (missing.length) return `the following utility images are not specified: ${missing.join(', ')}`;
  if (!gcs) return 'GCS upload configuration is not specified';
  if (!PATH_STRATEGIES.includes(gcs.path_strategy ?? '')) return `gcs_path_strategy must be one of ${PATH_STRATEGIES.join(', ')}`;
  if (gcs.path_strategy !== 'explicit' && (!gcs.default_org || !gcs.default_repo)) return `default org and repo must be provided for GCS strategy "${gcs.path_strategy}"`;
  if (decoration.oauth_token_secret && decoration.ssh_key_secrets?.length) return 'both OAuth token and SSH key secrets are specified';
  return undefined;
}

/** Prow's validateDecoration: a usable decoration config, and a command or args in every container. */
function decorationProblems(decoration: DecorationSecrets, containers: Container[]): string[] {
  const invalid = decorationConfigProblem(decoration);
  if (invalid) return [`invalid decoration config: ${invalid}`];
  const runsNothing = containers.some((c) => {
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    return args.length === 0 || args[0] === '';
  });
  return runsNothing ? ['decorated job containers must specify command and/or args'] : [];
}
