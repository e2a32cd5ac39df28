import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { CONSOLE_CSP, consoleRoutes, loadStaticAssets, staticFile } from './console';
import { encodeEvent, openEventStream } from './event-stream';

function makeApp() {
  const assets = new Map([
    ['index.html', staticFile('index.html', '<!doctype html><title>x</title><script src="app-ABCDEFGH.js"></script>')],
    ['app-ABCDEFGH.js', staticFile('app-ABCDEFGH.js', 'console.log(1)')],
    ['app-ABCDEFGH.css', staticFile('app-ABCDEFGH.css', 'body{}')],
  ]);
  const app = express();
  app.use(consoleRoutes({ assets, config: { peer_url: 'http://mt.example/ui/' } }));
  app.get('/', (_req, res) => res.type('text/plain').send('ok'));
  return app;
}

describe('consoleRoutes', () => {
  it.each([
    ['no Accept header (probes)', undefined],
    ['curl', '*/*'],
    ['a JSON client', 'application/json'],
  ])('keeps GET / as it was for %s', async (_name, accept) => {
    const req = request(makeApp()).get('/');
    if (accept) void req.set('Accept', accept);
    const res = await req.expect(200);
    expect(res.text).toBe('ok');
  });

  it('sends a browser opening / to /ui/', async () => {
    const res = await request(makeApp()).get('/').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').expect(302);
    expect(res.headers.location).toBe('/ui/');
  });

  it('serves index.html revalidated, hashed files for a year, both under the strict CSP', async () => {
    const app = makeApp();
    const index = await request(app).get('/ui/').expect(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toContain('unsafe');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const js = await request(app).get('/ui/app-ABCDEFGH.js').expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe('console.log(1)');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const app = makeApp();
    const first = await request(app).get('/ui/app-ABCDEFGH.css').expect(200);
    await request(app).get('/ui/app-ABCDEFGH.css').set('If-None-Match', first.headers.etag as string).expect(304);
  });

  it('serves the console config and redirects /ui to /ui/', async () => {
    const app = makeApp();
    const config = await request(app).get('/ui/config.json').expect(200);
    expect(JSON.parse(config.text)).toEqual({ peer_url: 'http://mt.example/ui/' });
    expect((await request(app).get('/ui').expect(301)).headers.location).toBe('/ui/');
  });

  it('without a built console, leaves / alone and passes every console path on', async () => {
    const app = express();
    app.use(consoleRoutes({ config: {} }));
    app.get('/', (_req, res) => res.type('text/plain').send('ok'));
    await request(app).get('/').set('Accept', 'text/html').expect(200, 'ok');
    await request(app).get('/ui/').expect(404);
    await request(app).get('/ui/config.json').expect(404);
  });

  it('passes unknown files on (to the 404 of the service)', async () => {
    await request(makeApp()).get('/ui/nope.js').expect(404);
    await request(makeApp()).get('/ui/index.html').expect(404);
  });

  it('loads a built directory and refuses one without index.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(dir, 'app-ABCDEFGH.js'), 'x');
    await expect(loadStaticAssets(dir)).rejects.toMatchObject({ code: 'FILE_INVALID', message: expect.stringContaining('holds no index.html') });
    await expect(loadStaticAssets(join(dir, 'missing'))).rejects.toMatchObject({ code: 'FILE_INVALID', message: `--console-dir ${join(dir, 'missing')}: no such directory` });
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const assets = await loadStaticAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['app-ABCDEFGH.js', 'index.html']);
    expect(assets.get('index.html')?.immutable).toBe(false);
    expect(assets.get('app-ABCDEFGH.js')?.immutable).toBe(true);
  });
});

describe('event streams', () => {
  it('encodes multi-line data as several data lines', () => {
    expect(encodeEvent('change', 'a\nb', '7')).toBe('id: 7\nevent: change\ndata: a\ndata: b\n\n');
    expect(encodeEvent('snapshot', { n: 1 })).toBe('event: snapshot\ndata: {"n":1}\n\n');
  });

  it('streams events with the right headers until the server ends it', async () => {
    const app = express();
    app.get('/events', (req, res) => {
      const stream = openEventStream(req, res, { retryMs: 500 });
      stream.send('hello', { a: 1 }, '1');
      stream.end();
    });
    const res = await request(app).get('/events').expect(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toBe('retry: 500\n\nid: 1\nevent: hello\ndata: {"a":1}\n\n');
  });

  it('writes nothing after the end, even when the keep-alive falls due before the client closes', async () => {
    const written: string[] = [];
    let onClose: () => void = () => undefined;
    const res = {
      status: () => res,
      setHeader: () => undefined,
      flushHeaders: () => undefined,
      on: (event: string, fn: () => void) => {
        if (event === 'close') onClose = fn;
        return res;
      },
      write: (chunk: string) => {
        if (ended) throw new Error('write after end');
        written.push(chunk);
        return true;
      },
      end: () => {
        ended = true;
      },
    };
    let ended = false;
    const req = { socket: { setNoDelay: () => undefined } };
    const stream = openEventStream(req as never, res as never, { keepAliveMs: 5, retryMs: 500 });
    await new Promise((r) => setTimeout(r, 12));
    stream.end();
    await new Promise((r) => setTimeout(r, 20)); // keep-alive ticks would fall due here
    stream.send('late', {});
    onClose();
    await stream.closed;
    expect(written[0]).toBe('retry: 500\n\n');
    expect(written.slice(1).every((w) => w === ': keep-alive\n\n')).toBe(true);
    expect(ended).toBe(true);
  });
});
