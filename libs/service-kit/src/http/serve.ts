import http from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { listen } from './metrics';

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
