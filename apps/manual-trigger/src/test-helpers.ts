import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { contractRecorder } from '@ci-stack/http-contract/testing';
import { startFakeKubeApi } from '@ci-stack/kube/testing';
import { manualTriggerDocument } from '@ci-stack/manual-trigger-api';
import { ConfigWatcher, type LoadedProwConfig } from '@ci-stack/prow-config';
import { newProwJob, type ProwJob, type ProwJobState } from '@ci-stack/prowjob-api';
import { ProwJobClient } from '@ci-stack/prowjob-client';
import { FakeClock } from '@ci-stack/core/testing';
import { listen } from '@ci-stack/service-kit';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { createApp, type AppDeps } from './app';
import { TokenAuthenticator } from './auth';
import { createMetrics } from './metrics';
import type { ProwJobApi } from './prowjob-api';
import { createOperations } from './prowjob-routes';
import { CREATED_BY_LABEL } from './build-prowjob';
import { CREATED_HOUR_LABEL, hourBucket } from './time-buckets';
import { TriggerService } from './trigger-service';

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
  stopping?: AbortSignal;
  keepAliveMs?: number;
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
  const operations = createOperations({ prowJobs: opts.prowJobs, trigger: service, config: () => loaded, clock, metrics, githubUrl: 'https://github.corp.example.com', allowedEnv: opts.allowedEnv ?? ['E2E_FOCUS'] });
  const app = createApp({
    service,
    operations,
    clock,
    stopping: opts.stopping,
    keepAliveMs: opts.keepAliveMs,
    config: () => loaded,
    configStatus: () => status,
    auth: opts.auth,
    pingApi: opts.prowJobs ? () => opts.prowJobs!.ping() : undefined,
    metrics,
    logger: silentLogger(),
    console: opts.console,
  });
  return { app: contract.wrap(app), express: app, metrics, clock, operations };
}

/**
 * The app on the in-repo fake API server through the real client, listening on loopback (event streams need a
 * real socket). The fake stamps creation times from the test's clock, so "newest first" is deterministic.
 */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- test helper, the inferred type is the point
export async function kubeApp(opts: Omit<TestAppOptions, 'prowJobs'> & { wrap?: (api: ProwJobApi) => ProwJobApi } = {}) {
  const kube = await startFakeKubeApi();
  const clock = opts.clock ?? new FakeClock(new Date('2026-03-28T10:00:00Z'));
  kube.setClock(() => clock.now());
  const prowJobs = new ProwJobClient({ kubeConfig: kube.kubeConfig(), namespace: 'prow', requestTimeoutMs: 2000 });
  const built = await testApp({ ...opts, prowJobs: opts.wrap ? opts.wrap(prowJobs) : prowJobs, clock });
  const server = http.createServer(built.app);
  await listen(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = async (): Promise<void> => {
    built.operations.aborter.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await kube.close();
  };
  return { ...built, kube, prowJobs, clock, url, close };
}

/**
 * A ProwJob created straight through the API, started now by the test's clock, in the given state; with `ours`,
 * labelled as manual-trigger labels what it creates.
 */
export async function seedProwJob(
  env: { prowJobs: ProwJobClient; clock: FakeClock },
  opts: { name: string; job?: string; type?: 'periodic' | 'postsubmit' | 'presubmit' | 'batch'; org?: string; repo?: string; state?: ProwJobState; ours?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> },
): Promise<ProwJob> {
  const type = opts.type ?? 'postsubmit';
  const refs = type === 'periodic' ? undefined : { org: opts.org ?? 'tess', repo: opts.repo ?? 'tessops', base_ref: 'master' };
  const now = env.clock.now();
  const ours: Record<string, string> = opts.ours ? { [CREATED_BY_LABEL]: 'true', [CREATED_HOUR_LABEL]: hourBucket(now.getTime()) } : {};
  const labels = { ...ours, ...opts.labels };
  const pj = newProwJob({ type, agent: 'kubernetes', job: opts.job ?? 'sddz-e2e-k8s-1.32', refs, pod_spec: { containers: [{ name: 'test', image: 'busybox' }] } }, labels, opts.annotations ?? {}, { name: opts.name, now });
  pj.status.state = opts.state ?? 'triggered';
  if (['success', 'failure', 'aborted', 'error'].includes(pj.status.state)) pj.status.completionTime = pj.status.startTime;
  return env.prowJobs.create(pj);
}

/** A token file with the given YAML body, authenticating; `close()` removes it. */
export async function tokenFile(yaml: string): Promise<{ auth: TokenAuthenticator; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-'));
  await writeFile(join(dir, 'tokens.yaml'), yaml);
  const auth = new TokenAuthenticator(join(dir, 'tokens.yaml'));
  await auth.start();
  return {
    auth,
    close: async () => {
      auth.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
