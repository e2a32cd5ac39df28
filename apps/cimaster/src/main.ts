import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '@ci-stack/kube';
import { createManualTriggerClient } from '@ci-stack/manual-trigger-api';
import { ClusterPool } from '@ci-stack/pool';
import { LeaderElector, createLeaderLock, createPoolStore, describeStore, type StoreConfig } from '@ci-stack/pool-store';
import { systemClock } from '@ci-stack/core';
import { createLogger, findConsole, runMain, serveService } from '@ci-stack/service-kit';
import { createApp } from './app';
import { TokenAuth } from './auth';
import { createCluster, manualTriggerJobs } from './create-cluster';
import { InventoryFile } from './inventory';
import { startLifecycle } from './lifecycle';
import { createMetrics, registerEventStreamGauge } from './metrics';
import { loadOptions, readyTimeout, type CimasterOptions } from './options';
import { LocalWrites, PoolEventHub } from './pool-events';
import { waitForStore } from './store-wait';
import { startSweeper } from './sweeper';

async function storeConfig(opts: CimasterOptions): Promise<StoreConfig> {
  switch (opts.store) {
    case 'memory':
      return { kind: 'memory' };
    case 'file':
      return { kind: 'file', path: opts.stateFile };
    case 'redis': {
      const password = opts.redisPasswordFile ? (await readFile(opts.redisPasswordFile, 'utf8')).trim() : undefined;
      return { kind: 'redis', url: opts.redisUrl as string, prefix: opts.redisPrefix, password, timeoutMs: opts.redisTimeout };
    }
    case 'configmap': {
      const { kubeConfig } = loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context, env: process.env });
      return { kind: 'configmap', kubeConfig, namespace: opts.configmapNamespace, name: opts.configmapName };
    }
  }
}

async function start(opts: CimasterOptions): Promise<void> {
  const logger = createLogger({ service: 'cimaster', level: opts.logLevel });
  const inventory = opts.inventory ? new InventoryFile(opts.inventory, () => metrics.inventoryReloadErrors.inc()) : undefined;
  await inventory?.start(); // a bad inventory stops the start: fix the file
  const config = await storeConfig(opts);
  // One replica runs the background loops (each asks before every round); every replica serves requests.
  const leadership = new LeaderElector({
    lock: createLeaderLock(config, { clock: systemClock, leaseDurationMs: opts.leaderLeaseDuration }),
    identity: `${hostname()}-${randomUUID().slice(0, 8)}`,
    clock: systemClock,
    leaseDurationMs: opts.leaderLeaseDuration,
    renewIntervalMs: opts.leaderRenewInterval,
    logger,
  });
  // The gauges read the store lazily, at scrape time; the write hooks feed the store histograms.
  const metrics = createMetrics(() => store.read(), { inventoryError: () => inventory?.lastError, isLeader: () => leadership.isLeader(), followedStreams: () => lifecycle.streams?.openStreams ?? 0 });
  // Without store notifications (--wait-notify=false) the pool event stream hears this process's writes at once
  // and other replicas' at the hub's resync.
  const localWrites = new LocalWrites();
  const store = createPoolStore(config, {
    clock: systemClock,
    onWrite: (seconds, outcome) => {
      metrics.storeWriteSeconds.observe({ outcome }, seconds);
      if (outcome === 'conflict') metrics.storeConflicts.inc();
      if (outcome === 'ok') localWrites.wrote();
    },
  });
  const cleanup = opts.cleanupJob ? { maxAttempts: opts.cleanupAttempts } : undefined;
  const pool = new ClusterPool({
    store,
    changes: opts.waitNotify ? store : undefined,
    pollMs: opts.waitPollInterval,
    clock: systemClock,
    leaseMs: opts.testLease,
    holdMs: opts.holdDuration,
    maxHoldMs: opts.maxHoldDuration,
    cleanup,
  });
  const auth = opts.authConfig ? new TokenAuth(opts.authConfig) : undefined;
  await auth?.start();
  const tokenFile = opts.manualTriggerTokenFile;
  const manualTrigger = createManualTriggerClient({
    baseUrl: opts.manualTriggerUrl,
    timeoutMs: opts.createClusterTimeout,
    token: tokenFile ? async () => (await readFile(tokenFile, 'utf8')).trim() : undefined,
  });
  const creation = { client: manualTrigger, org: opts.createClusterOrg, repo: opts.createClusterRepo, job: opts.createClusterJob };
  const jobs = manualTriggerJobs({ client: manualTrigger, org: opts.createClusterOrg, repo: opts.createClusterRepo });
  const lifecycle = startLifecycle(opts, { pool, jobs, streamClient: manualTrigger, clock: systemClock, logger, metrics, leadership, inventory });
  // The pool event stream follows the store's change notifications, which carry every replica's writes.
  const events = new PoolEventHub({ snapshot: () => pool.snapshot(), changes: opts.waitNotify ? store : localWrites, clock: systemClock, logger });
  registerEventStreamGauge(metrics.registry, () => events.size);
  const consoleAssets = await findConsole(opts.consoleDir, join(__dirname, 'ui'));
  if (!consoleAssets) logger.warn('no built console beside the bundle: /ui/ is off');
  const app = createApp({
    pool,
    metrics,
    logger,
    auth,
    maxWaitMs: opts.maxWait,
    ready: async () => void (await store.read({ timeoutMs: readyTimeout(opts) })),
    events,
    console: { assets: consoleAssets, config: { service: 'cimaster', peer_url: opts.manualTriggerConsoleUrl ?? null, auth: Boolean(auth) } },
    createCluster: (req) => createCluster(creation, req),
    advisories: lifecycle.advisories,
    provision: async (req) => {
      const provisioned = await lifecycle.follower.provision(req);
      lifecycle.loop.wake(); // the leader follows the new job from now (its event stream opens after the round)
      return provisioned;
    },
    wake: () => lifecycle.loop.wake(),
  });
  const sweeper = startSweeper({ pool, intervalMs: opts.sweepInterval, metrics, logger, leadership });
  // A new leader starts its rounds at once rather than at the next interval.
  leadership.onChange((leading) => {
    if (!leading) return void lifecycle.streams?.closeAll();
    sweeper.wake();
    lifecycle.loop.wake();
  });
  leadership.start();
  const stopping = new AbortController();
  // Waiting getvacant calls are answered (503 SHUTTING_DOWN) before the grace period ends, their tickets removed.
  const stopWaiting = (): void => {
    stopping.abort();
    pool.stopWaiting().then(
      (removed) => removed && logger.info({ removed }, 'shutting down: ended the waiting getvacant calls and removed their tickets'),
      (err: Error) => logger.warn({ err: err.message }, 'shutting down: could not remove the tickets of the waiting getvacant calls; the sweeper drops them when they go stale'),
    );
  };
  await serveService({
    app,
    registry: metrics.registry,
    server: opts,
    logger,
    onStopAccepting: [() => events.close(), stopWaiting],
    onShutdown: [() => leadership.close(), () => sweeper.stop(), () => lifecycle.loop.stop(), async () => lifecycle.streams?.closeAll(), () => store.close(), async () => auth?.close(), async () => inventory?.close()],
  });
  logger.info({ port: opts.port, metricsPort: opts.metricsPort, store: opts.store, auth: Boolean(auth), cleanupJob: opts.cleanupJob, inventory: opts.inventory }, 'cimaster listening');
  // Listening already (/healthz 200, /readyz 503 until the store answers); a store that cannot be used stops the start.
  await waitForStore({ read: () => store.read(), store: describeStore(config), logger, signal: stopping.signal });
}

void runMain({ service: 'cimaster', argv: process.argv.slice(2), env: process.env, loadOptions, start });
