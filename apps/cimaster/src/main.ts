import { readFile } from 'node:fs/promises';
import { loadKubeConfig } from '@ci-stack/kube';
import { createManualTriggerClient } from '@ci-stack/manual-trigger-api';
import { ClusterPool } from '@ci-stack/pool';
import { createPoolStore, type StoreConfig } from '@ci-stack/pool-store';
import { systemClock } from '@ci-stack/core';
import { createLogger, runMain, serveService } from '@ci-stack/service-kit';
import { createApp } from './app';
import { TokenAuth } from './auth';
import { createCluster } from './create-cluster';
import { createMetrics } from './metrics';
import { loadOptions, type CimasterOptions } from './options';
import { startSweeper } from './sweeper';

async function storeConfig(opts: CimasterOptions): Promise<StoreConfig> {
  switch (opts.store) {
    case 'memory':
      return { kind: 'memory' };
    case 'file':
      return { kind: 'file', path: opts.stateFile };
    case 'redis': {
      const password = opts.redisPasswordFile ? (await readFile(opts.redisPasswordFile, 'utf8')).trim() : undefined;
      return { kind: 'redis', url: opts.redisUrl as string, prefix: opts.redisPrefix, password };
    }
    case 'configmap': {
      const { kubeConfig } = loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context, env: process.env });
      return { kind: 'configmap', kubeConfig, namespace: opts.configmapNamespace, name: opts.configmapName };
    }
  }
}

async function start(opts: CimasterOptions): Promise<void> {
  const logger = createLogger({ service: 'cimaster', level: opts.logLevel });
  // The gauges read the store lazily, at scrape time; the write hooks feed the store histograms.
  const metrics = createMetrics(() => store.read());
  const store = createPoolStore(await storeConfig(opts), {
    clock: systemClock,
    onWrite: (seconds, outcome) => {
      metrics.storeWriteSeconds.observe({ outcome }, seconds);
      if (outcome === 'conflict') metrics.storeConflicts.inc();
    },
  });
  await store.read(); // fail fast on an unreachable or unreadable store
  const pool = new ClusterPool({ store, clock: systemClock, leaseMs: opts.testLease, holdMs: opts.holdDuration, maxHoldMs: opts.maxHoldDuration });
  const auth = opts.authConfig ? new TokenAuth(opts.authConfig) : undefined;
  await auth?.start();
  const tokenFile = opts.manualTriggerTokenFile;
  const manualTrigger = createManualTriggerClient({
    baseUrl: opts.manualTriggerUrl,
    timeoutMs: opts.createClusterTimeout,
    token: tokenFile ? async () => (await readFile(tokenFile, 'utf8')).trim() : undefined,
  });
  const creation = { client: manualTrigger, org: opts.createClusterOrg, repo: opts.createClusterRepo, job: opts.createClusterJob };
  const app = createApp({
    pool,
    metrics,
    logger,
    auth,
    maxWaitMs: opts.maxWait,
    ready: async () => void (await store.read()),
    createCluster: (req) => createCluster(creation, req),
  });
  const sweeper = startSweeper({ pool, intervalMs: opts.sweepInterval, metrics, logger });
  await serveService({ app, registry: metrics.registry, server: opts, logger, onShutdown: [() => sweeper.stop(), () => store.close(), async () => auth?.close()] });
  logger.info({ port: opts.port, metricsPort: opts.metricsPort, store: opts.store, auth: Boolean(auth) }, 'cimaster listening');
}

void runMain({ service: 'cimaster', argv: process.argv.slice(2), env: process.env, loadOptions, start });
