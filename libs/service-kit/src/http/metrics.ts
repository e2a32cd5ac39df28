import http from 'node:http';
import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { onceDone } from './request-context';

/** Latency buckets in seconds, from sub-millisecond handlers to a 15 s wait for a build id. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];

/**
 * Counts requests and observes their latency by method, matched route (never the raw path, so label values stay
 * bounded) and status code: `<prefix>http_requests_total`, `<prefix>http_request_duration_seconds`.
 */
export function httpMetrics(opts: { registry: Registry; prefix: string }): RequestHandler {
  const labelNames = ['method', 'route', 'code'] as const;
  const requests = new Counter({
    name: `${opts.prefix}http_requests_total`,
    help: 'HTTP requests by method, route and status code.',
    labelNames,
    registers: [opts.registry],
  });
  const duration = new Histogram({
    name: `${opts.prefix}http_request_duration_seconds`,
    help: 'HTTP request latency by method, route and status code.',
    labelNames,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [opts.registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    onceDone(res, () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : 'unmatched';
      const labels = { method: req.method, route, code: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/** Serves `GET /metrics` from the given registry on its own port. */
export async function startMetricsServer(opts: { registry: Registry; port: number; host?: string }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    opts.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting metrics failed: ${err.message}\n`),
    );
  });
  await listen(server, opts.port, opts.host);
  return server;
}

/** Listens and resolves once bound (or rejects, e.g. on EADDRINUSE). */
export function listen(server: http.Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
