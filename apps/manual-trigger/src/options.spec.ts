import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OptionsError } from '@ci-stack/core';
import { PROW_ENV } from '@ci-stack/prowjob-api';
import { parsedValues } from '@ci-stack/core/testing';
import { MANUAL_TRIGGER_OPTIONS, loadOptions, type ManualTriggerOptions } from './options';

function values(argv: string[], env: Record<string, string> = {}): ManualTriggerOptions {
  return parsedValues(loadOptions(argv, env));
}

describe('manual-trigger options', () => {
  it('keeps every flag and its environment variable', () => {
    expect(MANUAL_TRIGGER_OPTIONS.map((s) => [s.name, s.env]).sort()).toEqual(
      [
        ['config-path', 'CONFIG_PATH'], ['job-config-path', 'JOB_CONFIG_PATH'], ['namespace', 'NAMESPACE'], ['dry-run', 'DRY_RUN'], ['host', 'HOST'],
        ['port', 'PORT'], ['metrics-port', 'METRICS_PORT'], ['kubeconfig', 'KUBECONFIG_PATH'], ['context', 'KUBE_CONTEXT'], ['deck-url', 'DECK_URL'],
        ['github-url', 'GITHUB_URL'], ['build-id-timeout', 'BUILD_ID_TIMEOUT'], ['request-timeout', 'KUBE_REQUEST_TIMEOUT'], ['auth-config', 'AUTH_CONFIG'],
        ['allowed-env', 'ALLOWED_ENV'], ['idempotency-ttl', 'IDEMPOTENCY_TTL'], ['config-debounce', 'CONFIG_DEBOUNCE'], ['log-level', 'LOG_LEVEL'], ['grace-period', 'GRACE_PERIOD'],
        ['console-dir', 'CONSOLE_DIR'], ['cimaster-console-url', 'CIMASTER_CONSOLE_URL'],
      ].sort(),
    );
  });

  it.each([
    [
      ['--config-path=c.yaml'],
      {},
      {
        configPath: 'c.yaml', dryRun: false, githubUrl: 'https://github.com', buildIdTimeout: 15_000, requestTimeout: 10_000, allowedEnv: [],
        idempotencyTtl: 86_400_000, configDebounce: 1000, host: '0.0.0.0', port: 8080, metricsPort: 9090, logLevel: 'info', gracePeriod: 10_000,
      },
    ],
    [[], { CONFIG_PATH: 'c', KUBECONFIG_PATH: '/k', KUBE_CONTEXT: 'ctx', AUTH_CONFIG: '/a' }, { kubeconfig: '/k', context: 'ctx', authConfig: '/a' }],
    [['--config-path=c', '--port=81', '--log-level=debug', '--grace-period=1m', '--allowed-env=A,B'], {}, { port: 81, logLevel: 'debug', gracePeriod: 60_000, allowedEnv: ['A', 'B'] }],
  ])('%j with env %j', (argv, env, expected) => {
    expect(values(argv, env)).toMatchObject(expected);
  });

  it('reports the problems of its own and the shared flags at once', () => {
    expect(() => loadOptions(['--port=0', '--log-level=loud', '--build-id-timeout=1h'], {})).toThrow(
      new OptionsError([
        '--config-path (or CONFIG_PATH) is required: Path to Prow config.yaml.',
        '--build-id-timeout: must be a duration like 500ms, 15s or 6h between 0ms and 300000ms, got "1h"',
        '--port: must be an integer between 1 and 65535, got "0"',
        '--log-level: must be one of trace, debug, info, warn, error, fatal, got "loud"',
      ]),
    );
  });

  it("refuses an --allowed-env naming a variable Prow's decoration or pod utilities set, or AUTHOR, one line each, with the other problems", () => {
    expect(() => loadOptions(['--allowed-env=E2E_FOCUS,JOB_SPEC,BUILD_ID,PROW_JOB_ID,KUBECONFIG,AUTHOR', '--port=0'], { CONFIG_PATH: 'c' })).toThrow(
      new OptionsError([
        '--port: must be an integer between 1 and 65535, got "0"',
        "--allowed-env (or ALLOWED_ENV): JOB_SPEC is set by Prow's downward API (pod utilities); callers may not override it, remove it from the list",
        "--allowed-env (or ALLOWED_ENV): BUILD_ID is set by Prow's downward API (pod utilities); callers may not override it, remove it from the list",
        "--allowed-env (or ALLOWED_ENV): PROW_JOB_ID is set by Prow's downward API (pod utilities); callers may not override it, remove it from the list",
        "--allowed-env (or ALLOWED_ENV): KUBECONFIG is set by Prow's presets and decoration (it points at a mounted credential); callers may not override it, remove it from the list",
        "--allowed-env (or ALLOWED_ENV): AUTHOR is set by manual-trigger, from a trigger's user (or the caller's identity); callers may not override it, remove it from the list",
      ]),
    );
    expect(values([], { CONFIG_PATH: 'c', ALLOWED_ENV: 'E2E_FOCUS,CLUSTER_NAME' }).allowedEnv).toEqual(['E2E_FOCUS', 'CLUSTER_NAME']);
  });

  it('refuses the names the chart refuses in manualTrigger.allowedEnv, and no others', async () => {
    const template = await readFile(resolve(__dirname, '../../../charts/ci-stack/templates/validate-allowed-env.yaml'), 'utf8');
    const listed = [...template.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...Object.keys(PROW_ENV), 'AUTHOR'].sort());
  });

  it('--help lists every flag with its environment variable', () => {
    const parsed = loadOptions(['--help'], {});
    const text = parsed.help ? parsed.text : '';
    for (const spec of MANUAL_TRIGGER_OPTIONS) expect(text).toContain(`--${spec.name} ${spec.type}`);
    for (const spec of MANUAL_TRIGGER_OPTIONS) expect(text).toContain(`env ${spec.env}`);
  });
});
