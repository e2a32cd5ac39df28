import express from 'express';
import request from 'supertest';
import { Registry } from 'prom-client';
import { DomainError } from '@ci-stack/core';
import { capturingLogger } from '../testing';
import { errorHandler } from './error-handler';
import { allReady, healthRoutes } from './health';
import { httpMetrics } from './metrics';
import { requestContext } from './request-context';

class JobNotFoundError extends DomainError {
  constructor(job: string) {
    super('not-found', 'JOB_NOT_FOUND', `Job ${job} not found`);
  }
}

function makeApp(ready = true) {
  const log = capturingLogger();
  const registry = new Registry();
  const app = express();
  app.use(requestContext({ logger: log.logger }));
  app.use(httpMetrics({ registry, prefix: 'test_' }));
  app.use(healthRoutes({ ready: async () => allReady({ config: { ok: ready, message: ready ? undefined : 'no config' } }) }));
  app.use(express.json({ limit: 64 }));
  app.get('/jobs/:name', (req) => {
    throw new JobNotFoundError(req.params.name);
  });
  app.get('/stream', (_req, res) => {
    res.status(200).write('data: hello\n\n'); // an event stream the client leaves, never ended by the server
  });
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/rbac', () => {
    throw new DomainError('misconfigured', 'KUBE_FORBIDDEN', 'grant create on prowjobs in namespace prow');
  });
  app.get('/boom', () => {
    throw new Error('secret internals at /srv/app.ts:12');
  });
  app.get('/full', () => {
    throw new DomainError('no-capacity', 'NO_VACANT_CLUSTER', 'no vacant cluster');
  });
  app.get('/down', () => {
    throw Object.assign(new DomainError('unavailable', 'KUBE_UNAVAILABLE', 'the Kubernetes API is unreachable'), { cause: new Error('connect ECONNREFUSED 10.0.0.1:443') });
  });
  app.use(
    errorHandler({
      render: (_req, res, status, body) => res.status(status).json({ success: false, ...body }),
    }),
  );
  return { app, log, registry };
}

describe('http plumbing', () => {
  it('maps a domain error to its status with code and message', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/jobs/e2e').expect(404);
    expect(res.body).toEqual({ success: false, code: 'JOB_NOT_FOUND', message: 'Job e2e not found' });
  });

  it("answers a service's own misconfiguration with 500, its code and what to fix, logged as an error", async () => {
    const { app, log } = makeApp();
    const res = await request(app).get('/rbac').expect(500);
    expect(res.body).toEqual({ success: false, code: 'KUBE_FORBIDDEN', message: 'grant create on prowjobs in namespace prow' });
    expect(log.lines.find((l) => l.msg === 'request failed')).toMatchObject({ level: 50, code: 'KUBE_FORBIDDEN' });
  });

  it('turns an unexpected error into a generic 500 and logs the stack, never sending it', async () => {
    const { app, log } = makeApp();
    const res = await request(app).get('/boom').expect(500);
    expect(res.body.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
    const logged = log.lines.find((l) => l.msg === 'request failed');
    expect(JSON.stringify(logged)).toContain('secret internals');
    expect(logged?.reqId).toBe(res.headers['x-request-id']);
  });

  describe('log levels: expected refusals are not errors', () => {
    const lines = (log: ReturnType<typeof makeApp>['log'], msg: string) => log.lines.filter((l) => l.msg === msg);

    it.each([
      ['a 4xx', '/jobs/e2e', 404, 'JOB_NOT_FOUND'],
      ['a 503 for no capacity', '/full', 503, 'NO_VACANT_CLUSTER'],
    ])('logs %s at info, without a stack, in the error handler and the access log', async (_what, path, status, code) => {
      const { app, log } = makeApp();
      await request(app).get(path).expect(status);
      expect(lines(log, 'request rejected')).toEqual([expect.objectContaining({ level: 30, code, status })]);
      expect(lines(log, 'request')).toEqual([expect.objectContaining({ level: 30, status })]);
      expect(log.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
      expect(log.text()).not.toContain('"stack"');
    });

    it('logs a 500 from a bug at error with the stack, in both lines', async () => {
      const { app, log } = makeApp();
      await request(app).get('/boom').expect(500);
      const [failed] = lines(log, 'request failed');
      expect(failed).toMatchObject({ level: 50, code: 'INTERNAL', status: 500, err: { message: 'secret internals at /srv/app.ts:12' } });
      expect((failed.err as { stack: string }).stack).toContain('http.spec.ts');
      expect(lines(log, 'request')).toEqual([expect.objectContaining({ level: 50, status: 500 })]);
    });

    it('logs a 503 from a dependency that is down at error with its cause', async () => {
      const { app, log } = makeApp();
      await request(app).get('/down').expect(503);
      expect(lines(log, 'request failed')).toEqual([expect.objectContaining({ level: 50, code: 'KUBE_UNAVAILABLE', err: expect.objectContaining({ stack: expect.stringContaining('ECONNREFUSED') }) })]);
    });
  });

  it('answers invalid JSON with 400 and an oversized body with 413', async () => {
    const { app } = makeApp();
    const bad = await request(app).post('/echo').set('content-type', 'application/json').send('{"a":').expect(400);
    expect(bad.body.code).toBe('INVALID_JSON');
    const big = await request(app).post('/echo').send({ a: 'x'.repeat(100) }).expect(413);
    expect(big.body).toMatchObject({ code: 'BODY_TOO_LARGE', message: 'request body is larger than 64 bytes' });
  });

  it('keeps the caller request id when it is sane and replaces it otherwise', async () => {
    const { app } = makeApp();
    const kept = await request(app).get('/healthz').set('x-request-id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app).get('/healthz').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves probes, with readiness reflecting the checks', async () => {
    await request(makeApp().app).get('/').expect(200, 'ok');
    await request(makeApp().app).get('/healthz').expect(200, { status: 'ok' });
    const notReady = await request(makeApp(false).app).get('/readyz').expect(503);
    expect(notReady.body).toEqual({ status: 'not ready', checks: { config: { ok: false, message: 'no config' } } });
  });

  it('keeps probes out of the access log but logs other requests', async () => {
    const { app, log } = makeApp();
    await request(app).get('/healthz');
    await request(app).get('/jobs/x');
    const access = log.lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: 'GET', path: '/jobs/x', status: 404 });
  });

  it('logs and counts a stream the client leaves, as closed by the client', async () => {
    const { app, log, registry } = makeApp();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/stream`, { signal: controller.signal });
    expect(res.status).toBe(200);
    controller.abort();
    for (let i = 0; i < 100 && !log.lines.some((l) => l.msg === 'request'); i++) await new Promise((r) => setTimeout(r, 10));
    server.close();
    expect(log.lines.find((l) => l.msg === 'request')).toMatchObject({ method: 'GET', path: '/stream', status: 200, closedByClient: true });
    expect(await registry.metrics()).toContain('test_http_requests_total{method="GET",route="/stream",code="200"} 1');
  });

  it('counts requests by route pattern, not raw path', async () => {
    const { app, registry } = makeApp();
    await request(app).get('/jobs/a');
    await request(app).get('/jobs/b');
    await request(app).get('/nowhere');
    const text = await registry.metrics();
    expect(text).toContain('test_http_requests_total{method="GET",route="/jobs/:name",code="404"} 2');
    expect(text).toContain('test_http_requests_total{method="GET",route="unmatched",code="404"} 1');
    expect(text).toContain('test_http_request_duration_seconds_bucket');
  });
});
