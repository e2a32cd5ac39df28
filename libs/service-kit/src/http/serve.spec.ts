import express from 'express';
import { silentLogger } from '../testing';
import { serve } from './serve';

it('drains an in-flight request before closing and then runs the shutdown hooks', async () => {
  const app = express();
  let release: () => void = () => undefined;
  app.get('/slow', (_req, res) => {
    release = () => res.send('done');
  });
  const order: string[] = [];
  const served = await serve({
    app,
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger(),
    onShutdown: [async () => void order.push('hook')],
    exit: () => undefined,
  });
  const { port } = served.server.address() as { port: number };
  const inFlight = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => {
    order.push('response');
    return r.text();
  });
  await new Promise((r) => setTimeout(r, 50));
  const closed = served.close().then(() => order.push('closed'));
  await new Promise((r) => setTimeout(r, 20));
  expect(order).toEqual([]);
  release();
  expect(await inFlight).toBe('done');
  await closed;
  expect(order).toEqual(['response', 'hook', 'closed']);
  await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
});
