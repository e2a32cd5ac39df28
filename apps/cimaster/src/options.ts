import { OptionsError, parseOptions, type OptionSpec, type ParsedOptions } from '@ci-stack/service-kit';

/** cimaster's flags; each can also be set by its environment variable. */
export const CIMASTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'host', env: 'HOST', type: 'string', default: '0.0.0.0', help: 'Address to listen on.' },
  { name: 'port', env: 'PORT', type: 'int', default: 8080, min: 1, max: 65535, help: 'API port.' },
  { name: 'metrics-port', env: 'METRICS_PORT', type: 'int', default: 9090, min: 1, max: 65535, help: 'Port for /metrics.' },
  { name: 'store', env: 'STORE', type: 'string', default: 'file', choices: ['file', 'memory', 'configmap', 'redis'], help: 'Where the pool lives.' },
  { name: 'state-file', env: 'STATE_FILE', type: 'string', default: 'cimaster-state.json', help: 'Pool file for --store=file (one process only).' },
  { name: 'configmap-namespace', env: 'CONFIGMAP_NAMESPACE', type: 'string', default: 'ci', help: 'Namespace of the pool ConfigMap (--store=configmap).' },
  { name: 'configmap-name', env: 'CONFIGMAP_NAME', type: 'string', default: 'clusters', help: 'Name of the pool ConfigMap (--store=configmap).' },
  { name: 'kubeconfig', env: 'KUBECONFIG_PATH', type: 'string', help: 'Kubeconfig file (else in-cluster, else $KUBECONFIG, else ~/.kube/config).' },
  { name: 'context', env: 'KUBE_CONTEXT', type: 'string', help: 'Kubeconfig context to use.' },
  { name: 'redis-url', env: 'REDIS_URL', type: 'string', secret: true, help: 'redis:// or rediss:// URL (--store=redis).' },
  { name: 'redis-password-file', env: 'REDIS_PASSWORD_FILE', type: 'string', help: 'File holding the Redis password (a mounted Secret); overrides one in the URL.' },
  { name: 'redis-prefix', env: 'REDIS_PREFIX', type: 'string', default: 'cimaster:', help: 'Prefix of every Redis key.' },
  { name: 'manual-trigger-url', env: 'MANUAL_TRIGGER_URL', type: 'url', default: 'http://manual-trigger', help: 'Base URL of manual-trigger, used by createcluster.' },
  { name: 'manual-trigger-token-file', env: 'MANUAL_TRIGGER_TOKEN_FILE', type: 'string', help: 'Bearer token file for calling manual-trigger when its auth is on.' },
  { name: 'create-cluster-org', env: 'CREATE_CLUSTER_ORG', type: 'string', default: 'tess', help: 'Org of the cluster-creation job.' },
  { name: 'create-cluster-repo', env: 'CREATE_CLUSTER_REPO', type: 'string', default: 'tessops', help: 'Repo of the cluster-creation job.' },
  { name: 'create-cluster-job', env: 'CREATE_CLUSTER_JOB', type: 'string', default: 'sddz-e2e-k8s-1.32', help: 'Name of the cluster-creation job.' },
  { name: 'create-cluster-branch', env: 'CREATE_CLUSTER_BRANCH', type: 'string', default: 'master', help: 'Branch the creation and cleanup jobs run on (createcluster branch= overrides it).' },
  { name: 'provision-timeout', env: 'PROVISION_TIMEOUT', type: 'duration', default: 2 * 3_600_000, min: 1000, help: 'A creation job that has not ended in this long marks its cluster failed.' },
  { name: 'cleanup-job', env: 'CLEANUP_JOB', type: 'string', help: 'Cleanup job (same org/repo as the creation job); set, finishtest and lease expiry clean a cluster before it is vacant again.' },
  { name: 'cleanup-attempts', env: 'CLEANUP_ATTEMPTS', type: 'int', default: 3, min: 1, max: 100, help: 'Cleanup runs before a cluster is quarantined.' },
  { name: 'cleanup-timeout', env: 'CLEANUP_TIMEOUT', type: 'duration', default: 3_600_000, min: 1000, help: 'A cleanup run that has not ended in this long counts as failed.' },
  { name: 'inventory', env: 'INVENTORY', type: 'string', help: 'Inventory file (YAML, usually a mounted ConfigMap): clusters and pool targets; reloaded on change.' },
  { name: 'job-poll-interval', env: 'JOB_POLL_INTERVAL', type: 'duration', default: 10_000, min: 100, help: 'How often creation and cleanup jobs are polled, and the inventory and targets reconciled.' },
  { name: 'create-cluster-timeout', env: 'CREATE_CLUSTER_TIMEOUT', type: 'duration', default: 30_000, min: 1000, help: 'How long to wait for manual-trigger.' },
  { name: 'hold-duration', env: 'HOLD_DURATION', type: 'duration', default: 6 * 3_600_000, min: 60_000, help: 'Hold time when holdcluster gives no hours.' },
  { name: 'max-hold-duration', env: 'MAX_HOLD_DURATION', type: 'duration', default: 72 * 3_600_000, min: 60_000, help: 'Longest hold anyone may ask for.' },
  { name: 'test-lease', env: 'TEST_LEASE', type: 'duration', default: 4 * 3_600_000, min: 1000, help: 'Testing lease; heartbeat extends it, expiry returns the cluster.' },
  { name: 'max-wait', env: 'MAX_WAIT', type: 'duration', default: 3_600_000, min: 0, help: 'Longest wait= a getvacant may ask for.' },
  { name: 'sweep-interval', env: 'SWEEP_INTERVAL', type: 'duration', default: 30_000, min: 100, help: 'How often expired leases, holds and queue tickets are swept.' },
  { name: 'auth-config', env: 'AUTH_CONFIG', type: 'string', help: 'Token file (YAML) enabling bearer tokens for admin (and optionally e2e) calls; reloaded on change.' },
  { name: 'log-level', env: 'LOG_LEVEL', type: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], help: 'Log level.' },
  { name: 'grace-period', env: 'GRACE_PERIOD', type: 'duration', default: 10_000, min: 0, help: 'How long to drain requests on SIGTERM.' },
];

export interface CimasterOptions {
  host: string;
  port: number;
  metricsPort: number;
  store: 'file' | 'memory' | 'configmap' | 'redis';
  stateFile: string;
  configmapNamespace: string;
  configmapName: string;
  kubeconfig?: string;
  context?: string;
  redisUrl?: string;
  redisPasswordFile?: string;
  redisPrefix: string;
  manualTriggerUrl: string;
  manualTriggerTokenFile?: string;
  createClusterOrg: string;
  createClusterRepo: string;
  createClusterJob: string;
  createClusterTimeout: number;
  createClusterBranch: string;
  provisionTimeout: number;
  cleanupJob?: string;
  cleanupAttempts: number;
  cleanupTimeout: number;
  inventory?: string;
  jobPollInterval: number;
  holdDuration: number;
  maxHoldDuration: number;
  testLease: number;
  maxWait: number;
  sweepInterval: number;
  authConfig?: string;
  logLevel: string;
  gracePeriod: number;
}

/** Parses flags and environment; throws `OptionsError` listing every problem, including cross-flag ones. */
export function loadOptions(argv: string[], env: Record<string, string | undefined>): ParsedOptions<CimasterOptions> {
  const parsed = parseOptions<CimasterOptions>('cimaster', CIMASTER_OPTIONS, argv, env);
  if (parsed.help) return parsed;
  const o = parsed.values;
  const problems: string[] = [];
  if (o.store === 'redis' && !o.redisUrl) problems.push('--redis-url (or REDIS_URL) is required with --store=redis');
  if (o.holdDuration > o.maxHoldDuration) problems.push('--hold-duration must not exceed --max-hold-duration');
  if (problems.length) throw new OptionsError(problems);
  return parsed;
}
