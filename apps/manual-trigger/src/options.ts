import { parseOptions, type OptionSpec, type OptionsOf, type ParsedOptions } from '@ci-stack/core';
import { KUBE_FLAGS } from '@ci-stack/kube';
import { PROW_ENV } from '@ci-stack/prowjob-api';
import { AUTH_FLAGS, SERVER_FLAGS } from '@ci-stack/service-kit';

/** manual-trigger's own flags, Prow style; each can also be set by its environment variable. */
const TRIGGER_FLAGS = [
  { name: 'config-path', env: 'CONFIG_PATH', type: 'string', required: true, help: 'Path to Prow config.yaml.' },
  { name: 'job-config-path', env: 'JOB_CONFIG_PATH', type: 'string', help: 'Path to a job config file or a directory of them (walked recursively).' },
  { name: 'namespace', env: 'NAMESPACE', type: 'string', help: "Namespace to create ProwJobs in (default: the config's prowjob_namespace)." },
  { name: 'dry-run', env: 'DRY_RUN', type: 'bool', default: false, help: 'Build ProwJobs and return them without creating anything.' },
  { name: 'deck-url', env: 'DECK_URL', type: 'url', help: "Deck base URL for status and log links (default: the origin of plank's job_url_prefix_config)." },
  { name: 'github-url', env: 'GITHUB_URL', type: 'url', default: 'https://github.com', help: 'Git host base URL for repo and pull request links in refs.' },
  { name: 'build-id-timeout', env: 'BUILD_ID_TIMEOUT', type: 'duration', default: 15_000, min: 0, max: 300_000, help: 'How long to wait for plank to assign a BuildID.' },
  { name: 'request-timeout', env: 'KUBE_REQUEST_TIMEOUT', type: 'duration', default: 10_000, min: 100, max: 120_000, help: 'Deadline for each Kubernetes API call.' },
  { name: 'allowed-env', env: 'ALLOWED_ENV', type: 'list', default: [], help: "Comma-separated env var names callers may override with `env`; never one Prow sets (JOB_SPEC, BUILD_ID, ...) or AUTHOR." },
  { name: 'idempotency-ttl', env: 'IDEMPOTENCY_TTL', type: 'duration', default: 86_400_000, min: 1000, help: 'How long an Idempotency-Key returns the ProwJob it created.' },
  { name: 'config-debounce', env: 'CONFIG_DEBOUNCE', type: 'duration', default: 1000, min: 0, help: 'Quiet time after a config change before reloading.' },
  { name: 'console-dir', env: 'CONSOLE_DIR', type: 'string', help: 'Built web console to serve at /ui/ (default: the ui directory beside the bundle, when present).' },
  { name: 'cimaster-console-url', env: 'CIMASTER_CONSOLE_URL', type: 'url', help: "URL of cimaster's console as browsers reach it; the console links to it." },
] as const satisfies readonly OptionSpec[];

/** Every flag manual-trigger takes: its own, then the shared groups. */
export const MANUAL_TRIGGER_OPTIONS = [...TRIGGER_FLAGS, ...KUBE_FLAGS, ...AUTH_FLAGS, ...SERVER_FLAGS] as const;

export type ManualTriggerOptions = OptionsOf<typeof MANUAL_TRIGGER_OPTIONS>;

/** Who sets each variable a caller may never override: Prow's decoration and pod utilities, and us. */
const RESERVED_ENV: ReadonlyMap<string, string> = new Map([...Object.entries(PROW_ENV), ['AUTHOR', "manual-trigger, from a trigger's user (or the caller's identity)"]]);

/** Checks across flags: `--allowed-env` may not name a variable Prow or manual-trigger sets, one line per name. */
function crossCheck(o: Partial<ManualTriggerOptions>): string[] {
  return (o.allowedEnv ?? []).flatMap((name) => {
    const by = RESERVED_ENV.get(name);
    return by ? [`--allowed-env (or ALLOWED_ENV): ${name} is set by ${by}; callers may not override it, remove it from the list`] : [];
  });
}

/** Parses flags and environment; throws `OptionsError` listing every problem, cross-flag ones included. */
export function loadOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedOptions<ManualTriggerOptions> {
  return parseOptions({ name: 'manual-trigger', specs: MANUAL_TRIGGER_OPTIONS, check: crossCheck }, argv, env);
}
