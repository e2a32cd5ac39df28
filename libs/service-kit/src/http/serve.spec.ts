import express from 'express';
import { Counter, Registry } from 'prom-client';
import { silentLogger } from '../testing';
import { serve, serveService } from './serve';

it('drains an in-flight request before closing and then runs the shutdown hooks', async () => {
  const app = express();
  // Server-side events only: when the client reads the answer relative to the close callback is not promised.
  const order: string[] = [];
  let release: () => void = () => undefined;
  const reached = new Promise<void>((handlerReached) => {
    app.get('/slow', (_req, res) => {
      release = () => {
        order.push('answered');
        res.send('done');
      };
      handlerReached();
    });
  });
  const served = await serve({
    app,
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger(),
    onShutdown: [async () => void order.push('hook')],
    exit: () => undefined,
  });
  const { port } = served.server.address() as { port: number };
  const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
  await reached;
  const closed = served.close().then(() => order.push('closed'));
  // A close that did not wait for the request would run its hook within these turns of the event loop.
  for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
  expect(order).toEqual([]);
  release();
  expect(await inFlight).toBe('done');
  await closed;
  // Neither the hook nor the close came before the in-flight request was answered.
  expect(order).toEqual(['answered', 'hook', 'closed']);
  await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
});

it('serves the app and /metrics on the ports of the server flags, and closes both', async () => {
  const app = express();
  app.get('/hello', (_req, res) => void res.send('hi'));
  const registry = new Registry();
  new Counter({ name: 'svc_things_total', help: 'things', registers: [registry] }).inc();
  const hooks: string[] = [];
  const served = await serveService({
    app,
    registry,
    server: { host: '127.0.0.1', port: 0, metricsPort: 0, gracePeriod: 1000 },
    logger: silentLogger(),
    onShutdown: [async () => void hooks.push('hook')],
    exit: () => undefined,
  });
  const apiPort = (served.server.address() as { port: number }).port;
  const metricsPort = (served.metricsServer.address() as { port: number }).port;
  expect(await (await fetch(`http://127.0.0.1:${apiPort}/hello`)).text()).toBe('hi');
  expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toContain('svc_things_total 1');
  await served.close();
  expect(hooks).toEqual(['hook']);
  expect(served.server.listening || served.metricsServer.listening).toBe(false);
});

it('ends long-lived answers when it stops accepting, so they do not hold the drain for the grace period', async () => {
  const app = express();
  const open = new Set<express.Response>();
  app.get('/events', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': hi\n\n');
    open.add(res);
  });
  const served = await serveService({
    app,
    registry: new Registry(),
    server: { host: '127.0.0.1', port: 0, metricsPort: 0, gracePeriod: 60_000 },
    logger: silentLogger(),
    onStopAccepting: [() => open.forEach((res) => res.end())],
    exit: () => undefined,
  });
  const { port } = served.server.address() as { port: number };
  const stream = await fetch(`http://127.0.0.1:${port}/events`);
  const body = stream.text();
  await served.close(); // would wait 60 s if the stream stayed open
  expect(await body).toBe(': hi\n\n');
});
