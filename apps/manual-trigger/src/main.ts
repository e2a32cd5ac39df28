import { join } from 'node:path';
import { loadKubeConfig } from '@ci-stack/kube';
import { ConfigWatcher, formatProblem, ConfigLoadError } from '@ci-stack/prow-config';
import { ProwJobClient } from '@ci-stack/prowjob-client';
import { systemClock } from '@ci-stack/core';
import { createLogger, findConsole, runMain, serveService } from '@ci-stack/service-kit';
import { createApp } from './app';
import { TokenAuthenticator } from './auth';
import { createMetrics } from './metrics';
import { loadOptions, type ManualTriggerOptions } from './options';
import { createOperations } from './prowjob-routes';
import { TriggerService } from './trigger-service';

async function start(opts: ManualTriggerOptions): Promise<void> {
  const logger = createLogger({ service: 'manual-trigger', level: opts.logLevel });
  const watcher = new ConfigWatcher({ paths: { configPath: opts.configPath, jobConfigPath: opts.jobConfigPath }, debounceMs: opts.configDebounce });
  const loaded = await watcher.start();
  let following = (): number => 0;
  const metrics = createMetrics({ config: () => watcher.current(), status: () => watcher.status(), following: () => following() });
  watcher.on('reload', (l) => {
    metrics.configReloads.inc({ result: 'success' });
    logger.info({ counts: l.index.counts() }, 'prow config reloaded');
  });
  watcher.on('reload-failed', (err: Error) => {
    metrics.configReloads.inc({ result: 'failure' });
    logger.error({ err: err.message }, 'prow config reload failed; serving the last good config');
  });
  const auth = opts.authConfig ? new TokenAuthenticator(opts.authConfig) : undefined;
  await auth?.start();
  const namespace = opts.namespace ?? loaded.config.prowjob_namespace;
  let prowJobs: ProwJobClient | undefined;
  if (!opts.dryRun) {
    const { kubeConfig, origin } = loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context, env: process.env });
    prowJobs = new ProwJobClient({ kubeConfig, namespace, requestTimeoutMs: opts.requestTimeout });
    logger.info({ origin, server: kubeConfig.getCurrentCluster()?.server, namespace }, 'kubernetes client ready');
  }
  const service = new TriggerService({
    config: () => watcher.current(),
    prowJobs,
    clock: systemClock,
    metrics,
    buildIdTimeoutMs: opts.buildIdTimeout,
    deckUrl: opts.deckUrl,
    githubUrl: opts.githubUrl,
    allowedEnv: opts.allowedEnv,
    idempotencyTtlMs: opts.idempotencyTtl,
  });
  const operations = createOperations({
    ...{ prowJobs, trigger: service, config: () => watcher.current(), clock: systemClock, metrics, githubUrl: opts.githubUrl, allowedEnv: opts.allowedEnv },
    onKeepError: (err, name) => logger.warn({ prowjob: name, err: err.message }, 'could not check that an abort held'),
  });
  following = () => operations.follower.following;
  // Event streams and waits end as soon as the server stops accepting (clients reconnect elsewhere) instead of holding the drain.
  const stopping = new AbortController();
  const consoleAssets = await findConsole(opts.consoleDir, join(__dirname, 'ui'));
  if (!consoleAssets) logger.warn('no built console beside the bundle: /ui/ is off');
  const consoleConfig = { service: 'manual-trigger', peer_url: opts.cimasterConsoleUrl ?? null, allowed_env: opts.allowedEnv, dry_run_only: opts.dryRun, auth: Boolean(auth) };
  const app = createApp({
    service,
    operations,
    clock: systemClock,
    stopping: stopping.signal,
    config: () => watcher.current(),
    configStatus: () => watcher.status(),
    auth,
    pingApi: prowJobs ? () => prowJobs.ping() : undefined,
    metrics,
    logger,
    console: { assets: consoleAssets, config: consoleConfig },
  });
  await serveService({ app, registry: metrics.registry, server: opts, logger, onStopAccepting: [() => stopping.abort()], onShutdown: [async () => operations.aborter.close(), async () => watcher.close(), async () => auth?.close()] });
  logger.info({ port: opts.port, metricsPort: opts.metricsPort, dryRun: opts.dryRun, namespace, auth: Boolean(auth), jobs: loaded.index.counts() }, 'manual-trigger listening');
}

void runMain({
  service: 'manual-trigger',
  argv: process.argv.slice(2),
  env: process.env,
  loadOptions,
  start,
  explain: (err) => (err instanceof ConfigLoadError ? `cannot load Prow config:\n  ${err.problems.map(formatProblem).join('\n  ')}` : undefined),
});
