import http from 'node:http';
import type { OptionsOf } from '@ci-stack/core';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SERVER_FLAGS } from '../server-flags';
import { listen, startMetricsServer } from './metrics';

export interface Served {
  server: http.Server;
  /** Stops accepting, drains open requests (up to the grace period), then runs the shutdown hooks. */
  close(): Promise<void>;
}

/**
 * Listens with the app and handles SIGTERM/SIGINT: stop accepting, let in-flight requests finish within the
 * grace period, run `onShutdown` hooks (close watches, Redis, ...), then exit.
 */
export async function serve(opts: {
  app: Express;
  port: number;
  host?: string;
  logger: Logger;
  gracePeriodMs?: number;
  onShutdown?: Array<() => Promise<void>>;
  /** Called when the server stops accepting, before draining: ends long-lived answers such as event streams. */
  onStopAccepting?: Array<() => void>;
  exit?: (code: number) => void;
}): Promise<Served> {
  const server = http.createServer(opts.app);
  // Behind a load balancer with keep-alive, idle sockets must outlive the balancer's idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await listen(server, opts.port, opts.host);
  const grace = opts.gracePeriodMs ?? 10_000;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const hook of opts.onStopAccepting ?? []) hook();
      // Keep-alive sockets become idle only after their in-flight response; close them as they do.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), grace);
      timer.unref();
      await drained;
      clearInterval(sweeper);
      clearTimeout(timer);
      for (const hook of opts.onShutdown ?? []) {
        await hook().catch((err: Error) => opts.logger.warn({ err }, 'shutdown hook failed'));
      }
    })();
    return closing;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    opts.logger.info({ signal }, 'shutting down');
    close().then(
      () => (opts.exit ?? process.exit)(0),
      () => (opts.exit ?? process.exit)(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { server, close };
}

/** What {@link SERVER_FLAGS} parse into. */
export type ServerOptions = OptionsOf<typeof SERVER_FLAGS>;

/**
 * Serves a service as its server flags say: `/metrics` from the registry on the metrics port, the app on the API
 * port, graceful shutdown on SIGTERM (the metrics server closes after the service's own hooks).
 */
export async function serveService(opts: {
  app: Express;
  registry: Registry;
  server: Pick<ServerOptions, 'host' | 'port' | 'metricsPort' | 'gracePeriod'>;
  logger: Logger;
  onShutdown?: Array<() => Promise<void>>;
  /** See {@link serve}: ends long-lived answers (event streams) when the server stops accepting. */
  onStopAccepting?: Array<() => void>;
  exit?: (code: number) => void;
}): Promise<Served & { metricsServer: http.Server }> {
  const { host, port, metricsPort, gracePeriod } = opts.server;
  const metricsServer = await startMetricsServer({ registry: opts.registry, port: metricsPort, host });
  // Not waiting for the scraper's keep-alive connection to go idle: the process exits after the hooks.
  const closeMetrics = async (): Promise<void> => void metricsServer.close();
  const served = await serve({ app: opts.app, port, host, logger: opts.logger, gracePeriodMs: gracePeriod, onShutdown: [...(opts.onShutdown ?? []), closeMetrics], onStopAccepting: opts.onStopAccepting, exit: opts.exit }).catch(
    async (err: unknown) => {
      await closeMetrics();
      throw err;
    },
  );
  return { ...served, metricsServer };
}
