import { OptionsError } from '@ci-stack/core';
import { parsedValues } from '@ci-stack/core/testing';
import { CIMASTER_OPTIONS, loadOptions, readyTimeout, type CimasterOptions } from './options';

function values(argv: string[], env: Record<string, string> = {}): CimasterOptions {
  return parsedValues(loadOptions(argv, env));
}

describe('cimaster options', () => {
  it('keeps every flag and its environment variable', () => {
    expect(CIMASTER_OPTIONS.map((s) => [s.name, s.env]).sort()).toEqual(
      [
        ['host', 'HOST'], ['port', 'PORT'], ['metrics-port', 'METRICS_PORT'], ['store', 'STORE'], ['state-file', 'STATE_FILE'],
        ['configmap-namespace', 'CONFIGMAP_NAMESPACE'], ['configmap-name', 'CONFIGMAP_NAME'], ['kubeconfig', 'KUBECONFIG_PATH'], ['context', 'KUBE_CONTEXT'],
        ['redis-url', 'REDIS_URL'], ['redis-password-file', 'REDIS_PASSWORD_FILE'], ['redis-prefix', 'REDIS_PREFIX'], ['redis-timeout', 'REDIS_TIMEOUT'], ['manual-trigger-url', 'MANUAL_TRIGGER_URL'],
        ['manual-trigger-token-file', 'MANUAL_TRIGGER_TOKEN_FILE'], ['create-cluster-org', 'CREATE_CLUSTER_ORG'], ['create-cluster-repo', 'CREATE_CLUSTER_REPO'],
        ['create-cluster-job', 'CREATE_CLUSTER_JOB'], ['create-cluster-timeout', 'CREATE_CLUSTER_TIMEOUT'], ['hold-duration', 'HOLD_DURATION'],
        ['max-hold-duration', 'MAX_HOLD_DURATION'], ['test-lease', 'TEST_LEASE'], ['max-wait', 'MAX_WAIT'], ['sweep-interval', 'SWEEP_INTERVAL'],
        ['auth-config', 'AUTH_CONFIG'], ['log-level', 'LOG_LEVEL'], ['grace-period', 'GRACE_PERIOD'],
        ['create-cluster-branch', 'CREATE_CLUSTER_BRANCH'], ['provision-timeout', 'PROVISION_TIMEOUT'], ['cleanup-job', 'CLEANUP_JOB'], ['cleanup-attempts', 'CLEANUP_ATTEMPTS'],
        ['cleanup-timeout', 'CLEANUP_TIMEOUT'], ['inventory', 'INVENTORY'], ['job-poll-interval', 'JOB_POLL_INTERVAL'],
        ['follow-events', 'FOLLOW_EVENTS'], ['max-followed-streams', 'MAX_FOLLOWED_STREAMS'],
        ['wait-notify', 'WAIT_NOTIFY'], ['wait-poll-interval', 'WAIT_POLL_INTERVAL'], ['leader-lease-duration', 'LEADER_LEASE_DURATION'], ['leader-renew-interval', 'LEADER_RENEW_INTERVAL'],
        ['console-dir', 'CONSOLE_DIR'], ['manual-trigger-console-url', 'MANUAL_TRIGGER_CONSOLE_URL'],
      ].sort(),
    );
  });

  it.each([
    [
      [],
      {},
      {
        host: '0.0.0.0', port: 8080, metricsPort: 9090, store: 'file', stateFile: 'cimaster-state.json', configmapNamespace: 'ci', configmapName: 'clusters',
        redisPrefix: 'cimaster:', redisTimeout: 2000, manualTriggerUrl: 'http://manual-trigger', createClusterOrg: 'tess', createClusterRepo: 'tessops', createClusterJob: 'sddz-e2e-k8s-1.32',
        createClusterTimeout: 30_000, createClusterBranch: 'master', provisionTimeout: 7_200_000, cleanupAttempts: 3, cleanupTimeout: 3_600_000, jobPollInterval: 10_000, holdDuration: 21_600_000, maxHoldDuration: 259_200_000, testLease: 14_400_000, maxWait: 3_600_000, sweepInterval: 30_000,
        logLevel: 'info', gracePeriod: 10_000,
      },
    ],
    [['--store=redis', '--redis-url=redis://r:6379'], {}, { store: 'redis', redisUrl: 'redis://r:6379' }],
    [['--store=redis', '--redis-url=redis://r:6379', '--redis-timeout=500ms'], {}, { store: 'redis', redisTimeout: 500 }],
    [['--store=redis'], { REDIS_URL: 'redis://r:6379', REDIS_TIMEOUT: '5s', GRACE_PERIOD: '11s' }, { redisTimeout: 5000, gracePeriod: 11_000 }],
    [['--store', 'configmap', '--kubeconfig=/k', '--context=c'], { AUTH_CONFIG: '/a' }, { store: 'configmap', kubeconfig: '/k', context: 'c', authConfig: '/a' }],
  ])('%j with env %j', (argv, env, expected) => {
    expect(values(argv, env)).toMatchObject(expected);
  });

  it('reports cross-flag problems together with the others', () => {
    expect(() => loadOptions(['--store=redis', '--hold-duration=80h', '--port=x', '--max-wait=soon'], {})).toThrow(
      new OptionsError([
        '--max-wait: must be a duration like 500ms, 15s or 6h between 0ms and unbounded, got "soon"',
        '--port: must be an integer between 1 and 65535, got "x"',
        '--redis-url (or REDIS_URL) is required with --store=redis',
        '--hold-duration must not exceed --max-hold-duration',
      ]),
    );
  });

  it('skips a cross check whose flags did not parse', () => {
    expect(() => loadOptions(['--hold-duration=80h', '--max-hold-duration=never'], {})).toThrow(
      new OptionsError(['--max-hold-duration: must be a duration like 500ms, 15s or 6h between 60000ms and unbounded, got "never"']),
    );
  });

  it('--help lists every flag with its environment variable and the store choices', () => {
    const parsed = loadOptions(['--help'], {});
    const text = parsed.help ? parsed.text : '';
    for (const spec of CIMASTER_OPTIONS) expect(text).toContain(`--${spec.name} ${spec.type}`);
    for (const spec of CIMASTER_OPTIONS) expect(text).toContain(`env ${spec.env}`);
    expect(text).toContain('--store string [file|memory|configmap|redis]');
  });
});

describe('cimaster options: the Redis deadline', () => {
  it.each([
    [['--redis-timeout=50ms'], '--redis-timeout: must be a duration like 500ms, 15s or 6h between 100ms and 60000ms, got "50ms"'],
    [['--redis-timeout=2m'], '--redis-timeout: must be a duration like 500ms, 15s or 6h between 100ms and 60000ms, got "2m"'],
    [['--store=redis', '--redis-url=redis://r', '--redis-timeout=5s'], '--grace-period must be longer than twice --redis-timeout with --store=redis, so waiting getvacant calls are answered before it ends'],
  ])('%j is refused', (argv, problem) => {
    expect(() => values(argv)).toThrow(new OptionsError([problem]));
  });

  it('gives /readyz a second at most, less when the Redis deadline is shorter', () => {
    expect(readyTimeout(values([]))).toBe(1000);
    expect(readyTimeout(values(['--redis-timeout=300ms']))).toBe(300);
  });
});

describe('cimaster options: waiting and leader election', () => {
  it.each<[string, string[], Record<string, string>, Partial<CimasterOptions>]>([
    ['defaults', [], {}, { waitNotify: true, waitPollInterval: 5000, leaderLeaseDuration: 12_000, leaderRenewInterval: 2000 }],
    ['flags', ['--wait-notify=false', '--wait-poll-interval=250ms', '--leader-lease-duration=30s', '--leader-renew-interval=5s'], {}, { waitNotify: false, waitPollInterval: 250, leaderLeaseDuration: 30_000, leaderRenewInterval: 5000 }],
    ['environment', [], { WAIT_NOTIFY: 'false', LEADER_LEASE_DURATION: '3s', LEADER_RENEW_INTERVAL: '1s' }, { waitNotify: false, leaderLeaseDuration: 3000, leaderRenewInterval: 1000 }],
  ])('%s', (_name, argv, env, expected) => {
    expect(values(argv, env)).toMatchObject(expected);
  });

  it('refuses a renew interval that leaves no room to renew before stepping down', () => {
    expect(() => values(['--leader-lease-duration=3s', '--leader-renew-interval=2s'])).toThrow(new OptionsError(['--leader-renew-interval must be at most a third of --leader-lease-duration']));
  });
});

describe('cimaster options: following jobs through event streams', () => {
  it.each<[string, string[], Record<string, string>, Partial<CimasterOptions>]>([
    ['defaults', [], {}, { followEvents: true, maxFollowedStreams: 50 }],
    ['flags', ['--follow-events=false', '--max-followed-streams=5'], {}, { followEvents: false, maxFollowedStreams: 5 }],
    ['environment', [], { FOLLOW_EVENTS: 'false', MAX_FOLLOWED_STREAMS: '200' }, { followEvents: false, maxFollowedStreams: 200 }],
  ])('%s', (_name, argv, env, expected) => {
    expect(values(argv, env)).toMatchObject(expected);
  });

  it('refuses a bound outside 1 to 1000', () => {
    expect(() => values(['--max-followed-streams=0'])).toThrow(OptionsError);
    expect(() => values(['--max-followed-streams=1001'])).toThrow(OptionsError);
  });
});
