import { parseOptions, type OptionSpec, type OptionsOf, type ParsedOptions } from '@ci-stack/core';
import { KUBE_FLAGS } from '@ci-stack/kube';
import { AUTH_FLAGS, SERVER_FLAGS } from '@ci-stack/service-kit';

/** cimaster's own flags; each can also be set by its environment variable. */
const CIMASTER_FLAGS = [
  { name: 'store', env: 'STORE', type: 'string', default: 'file', choices: ['file', 'memory', 'configmap', 'redis'], help: 'Where the pool lives.' },
  { name: 'state-file', env: 'STATE_FILE', type: 'string', default: 'cimaster-state.json', help: 'Pool file for --store=file (one process only).' },
  { name: 'configmap-namespace', env: 'CONFIGMAP_NAMESPACE', type: 'string', default: 'ci', help: 'Namespace of the pool ConfigMap (--store=configmap).' },
  { name: 'configmap-name', env: 'CONFIGMAP_NAME', type: 'string', default: 'clusters', help: 'Name of the pool ConfigMap (--store=configmap).' },
  { name: 'redis-url', env: 'REDIS_URL', type: 'string', secret: true, help: 'redis:// or rediss:// URL (--store=redis).' },
  { name: 'redis-password-file', env: 'REDIS_PASSWORD_FILE', type: 'string', help: 'File holding the Redis password (a mounted Secret); overrides one in the URL.' },
  { name: 'redis-prefix', env: 'REDIS_PREFIX', type: 'string', default: 'cimaster:', help: 'Prefix of every Redis key.' },
  {
    name: 'redis-timeout',
    env: 'REDIS_TIMEOUT',
    type: 'duration',
    default: 2000,
    min: 100,
    max: 60_000,
    help: 'Deadline of every Redis command and connection attempt; a Redis that does not answer in time is reported as REDIS_UNAVAILABLE (503) and its connection replaced.',
  },
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
  { name: 'job-poll-interval', env: 'JOB_POLL_INTERVAL', type: 'duration', default: 10_000, min: 100, help: 'How often creation and cleanup jobs are polled (those with an event stream too, as a safety net), and the inventory and targets reconciled.' },
  { name: 'follow-events', env: 'FOLLOW_EVENTS', type: 'bool', default: true, help: "Follow creation and cleanup jobs through manual-trigger's ProwJob event streams, so an outcome is applied as the job ends; false: poll only." },
  { name: 'max-followed-streams', env: 'MAX_FOLLOWED_STREAMS', type: 'int', default: 50, min: 1, max: 1000, help: 'ProwJob event streams the leader holds at once; the jobs beyond are polled.' },
  { name: 'create-cluster-timeout', env: 'CREATE_CLUSTER_TIMEOUT', type: 'duration', default: 30_000, min: 1000, help: 'How long to wait for manual-trigger.' },
  { name: 'hold-duration', env: 'HOLD_DURATION', type: 'duration', default: 6 * 3_600_000, min: 60_000, help: 'Hold time when holdcluster gives no hours.' },
  { name: 'max-hold-duration', env: 'MAX_HOLD_DURATION', type: 'duration', default: 72 * 3_600_000, min: 60_000, help: 'Longest hold anyone may ask for.' },
  { name: 'test-lease', env: 'TEST_LEASE', type: 'duration', default: 4 * 3_600_000, min: 1000, help: 'Testing lease; heartbeat extends it, expiry returns the cluster.' },
  { name: 'max-wait', env: 'MAX_WAIT', type: 'duration', default: 3_600_000, min: 0, help: 'Longest wait= a getvacant may ask for.' },
  { name: 'sweep-interval', env: 'SWEEP_INTERVAL', type: 'duration', default: 30_000, min: 100, help: 'How often expired leases, holds and queue tickets are swept.' },
  { name: 'wait-notify', env: 'WAIT_NOTIFY', type: 'bool', default: true, help: 'Wake waiting getvacant calls when the store reports a change; false: poll only, at --wait-poll-interval.' },
  { name: 'wait-poll-interval', env: 'WAIT_POLL_INTERVAL', type: 'duration', default: 5000, min: 10, help: 'How often a waiting getvacant looks again when no change woke it (a fallback).' },
  { name: 'leader-lease-duration', env: 'LEADER_LEASE_DURATION', type: 'duration', default: 12_000, min: 1000, help: 'How long the background-loop leader lock lasts unrenewed: the longest a dead leader delays the next.' },
  { name: 'leader-renew-interval', env: 'LEADER_RENEW_INTERVAL', type: 'duration', default: 2000, min: 100, help: 'How often the leader renews its lock and the other replicas try to take it.' },
  { name: 'console-dir', env: 'CONSOLE_DIR', type: 'string', help: 'Built web console to serve at /ui/ (default: the ui directory beside the bundle, when present).' },
  { name: 'manual-trigger-console-url', env: 'MANUAL_TRIGGER_CONSOLE_URL', type: 'url', help: "URL of manual-trigger's console as browsers reach it; the console links to it." },
] as const satisfies readonly OptionSpec[];

/** Every flag cimaster takes: its own, then the shared groups. */
export const CIMASTER_OPTIONS = [...CIMASTER_FLAGS, ...KUBE_FLAGS, ...AUTH_FLAGS, ...SERVER_FLAGS] as const;

export type CimasterOptions = OptionsOf<typeof CIMASTER_OPTIONS>;

/**
 * How long `/readyz` waits for the store: a second, or `--redis-timeout` when shorter, so the probe answers well
 * within a kubelet's probe timeout (the chart's is 3 s) even while Redis does not answer.
 */
export function readyTimeout(o: Pick<CimasterOptions, 'redisTimeout'>): number {
  return Math.min(o.redisTimeout, 1000);
}

function redisCheck(o: Partial<CimasterOptions>): string[] {
  const problems: string[] = [];
  if (!o.redisUrl) problems.push('--redis-url (or REDIS_URL) is required with --store=redis');
  // On shutdown, waiters are answered after one write removed their tickets: a read and a write, each within the timeout.
  if (o.redisTimeout !== undefined && o.gracePeriod !== undefined && o.gracePeriod <= 2 * o.redisTimeout) {
    problems.push('--grace-period must be longer than twice --redis-timeout with --store=redis, so waiting getvacant calls are answered before it ends');
  }
  return problems;
}

/** Checks across flags, on whichever of them parsed. */
function crossCheck(o: Partial<CimasterOptions>): string[] {
  const problems: string[] = [];
  if (o.store === 'redis') problems.push(...redisCheck(o));
  if (o.holdDuration !== undefined && o.maxHoldDuration !== undefined && o.holdDuration > o.maxHoldDuration) problems.push('--hold-duration must not exceed --max-hold-duration');
  // The leader steps down after two thirds of the lease without a renewal: leave room for at least two attempts.
  if (o.leaderRenewInterval !== undefined && o.leaderLeaseDuration !== undefined && o.leaderRenewInterval * 3 > o.leaderLeaseDuration) {
    problems.push('--leader-renew-interval must be at most a third of --leader-lease-duration');
  }
  return problems;
}

/** Parses flags and environment; throws `OptionsError` listing every problem, cross-flag ones included. */
export function loadOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedOptions<CimasterOptions> {
  return parseOptions({ name: 'cimaster', specs: CIMASTER_OPTIONS, check: crossCheck }, argv, env);
}
