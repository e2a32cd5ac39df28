import { parseOptions, type OptionSpec, type ParsedOptions } from '@ci-stack/service-kit';

/** manual-trigger's flags, Prow style; each can also be set by its environment variable. */
export const MANUAL_TRIGGER_OPTIONS: readonly OptionSpec[] = [
  { name: 'config-path', env: 'CONFIG_PATH', type: 'string', required: true, help: 'Path to Prow config.yaml.' },
  { name: 'job-config-path', env: 'JOB_CONFIG_PATH', type: 'string', help: 'Path to a job config file or a directory of them (walked recursively).' },
  { name: 'namespace', env: 'NAMESPACE', type: 'string', help: "Namespace to create ProwJobs in (default: the config's prowjob_namespace)." },
  { name: 'dry-run', env: 'DRY_RUN', type: 'bool', default: false, help: 'Build ProwJobs and return them without creating anything.' },
  { name: 'host', env: 'HOST', type: 'string', default: '0.0.0.0', help: 'Address to listen on.' },
  { name: 'port', env: 'PORT', type: 'int', default: 8080, min: 1, max: 65535, help: 'API port.' },
  { name: 'metrics-port', env: 'METRICS_PORT', type: 'int', default: 9090, min: 1, max: 65535, help: 'Port for /metrics.' },
  { name: 'kubeconfig', env: 'KUBECONFIG_PATH', type: 'string', help: 'Kubeconfig file (else in-cluster, else $KUBECONFIG, else ~/.kube/config).' },
  { name: 'context', env: 'KUBE_CONTEXT', type: 'string', help: 'Kubeconfig context to use.' },
  { name: 'deck-url', env: 'DECK_URL', type: 'url', help: "Deck base URL for status and log links (default: the origin of plank's job_url_prefix_config)." },
  { name: 'github-url', env: 'GITHUB_URL', type: 'url', default: 'https://github.com', help: 'Git host base URL for repo and pull request links in refs.' },
  { name: 'build-id-timeout', env: 'BUILD_ID_TIMEOUT', type: 'duration', default: 15_000, min: 0, max: 300_000, help: 'How long to wait for plank to assign a BuildID.' },
  { name: 'request-timeout', env: 'KUBE_REQUEST_TIMEOUT', type: 'duration', default: 10_000, min: 100, max: 120_000, help: 'Deadline for each Kubernetes API call.' },
  { name: 'auth-config', env: 'AUTH_CONFIG', type: 'string', help: 'Token file (YAML) enabling bearer-token authentication and per-job authorization; reloaded on change.' },
  { name: 'allowed-env', env: 'ALLOWED_ENV', type: 'list', default: [], help: 'Comma-separated env var names callers may override with `env`.' },
  { name: 'idempotency-ttl', env: 'IDEMPOTENCY_TTL', type: 'duration', default: 86_400_000, min: 1000, help: 'How long an Idempotency-Key returns the ProwJob it created.' },
  { name: 'config-debounce', env: 'CONFIG_DEBOUNCE', type: 'duration', default: 1000, min: 0, help: 'Quiet time after a config change before reloading.' },
  { name: 'log-level', env: 'LOG_LEVEL', type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], help: 'Log level.' },
  { name: 'grace-period', env: 'GRACE_PERIOD', type: 'duration', default: 10_000, min: 0, help: 'How long to drain requests on SIGTERM.' },
];

export interface ManualTriggerOptions {
  configPath: string;
  jobConfigPath?: string;
  namespace?: string;
  dryRun: boolean;
  host: string;
  port: number;
  metricsPort: number;
  kubeconfig?: string;
  context?: string;
  deckUrl?: string;
  githubUrl: string;
  buildIdTimeout: number;
  requestTimeout: number;
  authConfig?: string;
  allowedEnv: string[];
  idempotencyTtl: number;
  configDebounce: number;
  logLevel: string;
  gracePeriod: number;
}

/** Parses flags and environment; throws `OptionsError` listing every problem. */
export function loadOptions(argv: string[], env: Record<string, string | undefined>): ParsedOptions<ManualTriggerOptions> {
  return parseOptions<ManualTriggerOptions>('manual-trigger', MANUAL_TRIGGER_OPTIONS, argv, env);
}
