import { resolve } from 'node:path';
import { contractRecorder } from '@ci-stack/http-contract/testing';
import { manualTriggerDocument } from '@ci-stack/manual-trigger-api';
import { ConfigWatcher, type LoadedProwConfig } from '@ci-stack/prow-config';
import { FakeClock } from '@ci-stack/core/testing';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { createApp, type AppDeps } from './app';
import { TokenAuthenticator } from './auth';
import { createMetrics } from './metrics';
import { TriggerService, type ProwJobApi } from './trigger-service';

export const EXAMPLES = resolve(__dirname, '../../../examples/prow');

let cached: Promise<LoadedProwConfig> | undefined;

/** Checks every answer of a testApp against the OpenAPI document; call `contract.verify()` after each test. */
export const contract = contractRecorder(manualTriggerDocument());

/** The example Prow config, loaded once per test file. */
export async function exampleConfig(): Promise<LoadedProwConfig> {
  cached ??= new ConfigWatcher({ paths: { configPath: `${EXAMPLES}/config.yaml`, jobConfigPath: `${EXAMPLES}/jobs` } }).start();
  return cached;
}

export interface TestAppOptions {
  prowJobs?: ProwJobApi;
  auth?: TokenAuthenticator;
  allowedEnv?: string[];
  buildIdTimeoutMs?: number;
  deckUrl?: string;
  clock?: FakeClock;
  /** Another config than the example's. */
  config?: LoadedProwConfig;
  console?: AppDeps['console'];
}

/** createApp with the example config and the given fakes; `app` has its answers checked by `contract`. */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- test helper, the inferred type is the point
export async function testApp(opts: TestAppOptions = {}) {
  const loaded = opts.config ?? (await exampleConfig());
  const status = { reloads: 0, failures: 0, lastSuccess: new Date() };
  const metrics = createMetrics({ config: () => loaded, status: () => status });
  const clock = opts.clock ?? new FakeClock(new Date('2026-03-28T10:00:00Z'));
  const service = new TriggerService({
    config: () => loaded,
    prowJobs: opts.prowJobs,
    clock,
    metrics,
    buildIdTimeoutMs: opts.buildIdTimeoutMs ?? 2000,
    deckUrl: opts.deckUrl ?? 'https://prow.tessprow',
    githubUrl: 'https://github.corp.example.com',
    allowedEnv: opts.allowedEnv ?? ['E2E_FOCUS'],
    idempotencyTtlMs: 3_600_000,
  });
  const app = createApp({
    service,
    config: () => loaded,
    configStatus: () => status,
    auth: opts.auth,
    pingApi: opts.prowJobs ? () => opts.prowJobs!.ping() : undefined,
    metrics,
    logger: silentLogger(),
    console: opts.console,
  });
  return { app: contract.wrap(app), express: app, metrics, clock };
}
