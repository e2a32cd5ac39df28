import http from 'node:http';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { ApiError, MalformedAnswerError, UnreachableError } from './client-errors';
import { createClient } from './client';
import { buildOpenApi } from './openapi';
import { defineRoutes, errorBodySchema, errorResponses, expressPath, findRoute, matchPath, templatePath } from './route';
import { EventStreamParser, parseEventStream } from './sse';
import { contractRecorder, documentedRoutes, openApiProblems, registeredRoutes } from './testing';

const item = z.object({ name: z.string(), size: z.number().int() }).meta({ id: 'Item' });
const notFound = { description: 'Unknown', content: { 'application/json': errorBodySchema(['NOT_FOUND']) } };
const routes = defineRoutes({
  get: {
    summary: 'One item',
    methods: ['GET'],
    path: '/items/{name}',
    pathParams: z.object({ name: z.string() }),
    params: z.object({ verbose: z.string().optional().describe('More') }),
    auth: 'reader',
    responses: {
      200: { description: 'The item', content: { 'application/json': item } },
      ...errorResponses({ 404: ['ITEM_NOT_FOUND'] }, { 500: ['INTERNAL'] }, (status, codes) => ({ description: String(status), content: { 'application/json': errorBodySchema(codes) } })),
    },
  },
  put: {
    summary: 'Store an item',
    methods: ['POST', 'GET'],
    path: '/items',
    paramsFrom: 'query-or-body',
    params: z.object({ name: z.string(), size: z.number().int() }),
    responses: { 201: { description: 'Stored', content: { 'application/json': z.object({ stored: item }), 'text/plain': z.string() } } },
  },
  watch: {
    summary: 'Changes of an item',
    methods: ['GET'],
    path: '/items/{name}/events',
    pathParams: z.object({ name: z.string() }),
    responses: { 200: { description: 'SSE', content: { 'text/event-stream': item } }, 404: notFound },
  },
});
const document = buildOpenApi({ info: { title: 't', version: '1', description: 'd' }, routes, unknownRoute: notFound });

describe('route tables', () => {
  it('matches and converts path templates', () => {
    expect(matchPath('/items/{name}', '/items/a%20b')).toEqual({ name: 'a b' });
    expect(matchPath('/items/{name}', '/items/a/b')).toBeUndefined();
    expect(matchPath('/items/{name}', '/items/%E0%A4%A')).toBeUndefined();
    expect(expressPath('/items/{name}/events')).toBe('/items/:name/events');
    expect(templatePath('/items/:name')).toBe('/items/{name}');
    expect(findRoute(routes, 'GET', '/items/x/events')?.id).toBe('watch');
    expect(findRoute(routes, 'POST', '/items/x')).toBeUndefined();
  });

  it('merges error codes by status', () => {
    const merged = errorResponses({ 400: ['A'], 500: ['INTERNAL'] }, { 400: ['B', 'A'] }, (status, codes) => ({ description: `${status}:${codes.join(',')}` }));
    expect(merged).toEqual({ 400: { description: '400:A,B' }, 500: { description: '500:INTERNAL' } });
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 with shared schemas as components', () => {
    expect(openApiProblems(document)).toEqual([]);
    expect(document.components.schemas.Item).toMatchObject({ type: 'object', required: ['name', 'size'] });
    expect(document.paths['/items/{name}'].get.responses['200'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/Item' });
  });

  it('puts GET parameters in the query and POST parameters in a JSON or form body', () => {
    const get = document.paths['/items/{name}'].get;
    expect(get.parameters).toEqual([
      { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'verbose', in: 'query', required: false, description: 'More', schema: { type: 'string' } },
    ]);
    expect(get.security).toEqual([{}, { bearerAuth: [] }]);
    const post = document.paths['/items'].post;
    expect(post.operationId).toBe('put');
    expect(Object.keys(post.requestBody?.content as object)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(document.paths['/items'].get.operationId).toBe('putGet');
    expect(document.paths['/items'].get.parameters?.map((p) => [p.name, p.required])).toEqual([
      ['name', true],
      ['size', true],
    ]);
  });

  it('reports a document that breaks OpenAPI 3.1', () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: unknown }>> };
    broken.paths['/items'].post.responses = 'none';
    expect(openApiProblems(broken as never).join('\n')).toMatch(/responses/);
  });
});

describe('server-sent events', () => {
  it('parses events split anywhere, CRLF, multi-line data, comments and ids', () => {
    const parser = new EventStreamParser();
    const text = ': hello\r\nid: 1\r\nevent: state\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: plain\n\nretry: 5\nid: 7\ndata: x\n\n';
    const events = [...text].flatMap((ch) => parser.push(ch));
    expect(events).toEqual([
      { id: '1', event: 'state', data: '{"a":\n1}' },
      { id: '1', event: 'message', data: 'plain' },
      { id: '7', event: 'message', data: 'x' },
    ]);
    expect(parser.lastEventId).toBe('7');
    expect(parseEventStream('data: unfinished')).toEqual([]); // an event without its blank line is discarded
    expect(parseEventStream('data: last\n\n')).toEqual([{ event: 'message', data: 'last' }]);
  });
});

/** A real server answering as scripted, on a loopback port. */
async function serve(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the typed client', () => {
  const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let script: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        script(req, res);
      });
    });
  });
  afterAll(() => server.close());
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const client = () => createClient(routes, { service: 'items', baseUrl: `${server.url}/`, token: () => 'secret-token', timeoutMs: 2000 });

  it('encodes path and query parameters, sends the token and request id, and returns the typed answer', async () => {
    script = (_req, res) => json(res, 200, { name: 'a b', size: 3, extra: 'dropped' });
    const got = await client().call('get', { name: 'a b', verbose: 'yes' }, { requestId: 'r-1' });
    expect(got).toEqual({ name: 'a b', size: 3 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/items/a%20b?verbose=yes', headers: { authorization: 'Bearer secret-token', 'x-request-id': 'r-1', accept: 'application/json' } });
  });

  it('posts parameters as JSON', async () => {
    script = (_req, res) => json(res, 201, { stored: { name: 'n', size: 1 } });
    expect(await client().call('put', { name: 'n', size: 1 })).toEqual({ stored: { name: 'n', size: 1 } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/items', body: '{"name":"n","size":1}', headers: { 'content-type': 'application/json' } });
  });

  it('turns documented errors into ApiError with code and message', async () => {
    script = (_req, res) => json(res, 404, { success: false, code: 'ITEM_NOT_FOUND', message: 'item x not found' });
    await expect(client().call('get', { name: 'x' })).rejects.toMatchObject({ constructor: ApiError, status: 404, code: 'ITEM_NOT_FOUND', message: 'item x not found' });
  });

  it.each([
    ['an HTML error page', 502, 'text/html', '<html>\n<body>Bad Gateway</body></html>', 'items sent an answer its API does not describe (HTTP 502): HTTP 502 with text/html: <html> <body>Bad Gateway</body></html>'],
    ['a body of the wrong shape', 200, 'application/json', '{"name":"x","size":"big"}', 'items sent an answer its API does not describe (HTTP 200): size: Invalid input: expected number, received string'],
    ['truncated JSON', 200, 'application/json', '{"name":', 'items sent an answer its API does not describe (HTTP 200): not JSON: {"name":'],
    ['an undocumented status', 204, 'application/json', '', 'items sent an answer its API does not describe (HTTP 204): HTTP 204 is not one of its answers'],
    ['the wrong media type', 200, 'text/plain', 'x', 'items sent an answer its API does not describe (HTTP 200): expected application/json, got text/plain: x'],
  ])('reports %s in one line', async (_what, status, type, body, message) => {
    script = (_req, res) => res.writeHead(status, { 'content-type': type }).end(body);
    const err = await client().call('get', { name: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedAnswerError);
    expect((err as Error).message).toBe(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('says which service is unreachable and why', async () => {
    const gone = await serve(() => undefined);
    await gone.close();
    const c = createClient(routes, { service: 'items', baseUrl: gone.url });
    await expect(c.call('get', { name: 'x' })).rejects.toMatchObject({ constructor: UnreachableError, message: `items at ${gone.url}/items/x is unreachable: ECONNREFUSED`, reason: 'ECONNREFUSED' });
  });

  it('gives up after its deadline', async () => {
    script = () => undefined; // never answers
    const c = createClient(routes, { service: 'items', baseUrl: server.url, timeoutMs: 50 });
    await expect(c.call('get', { name: 'slow' })).rejects.toMatchObject({ constructor: UnreachableError, reason: 'no answer within 50 ms' });
  });

  it('takes a stream that sends nothing for its idle timeout as broken', async () => {
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\ndata: {"name":"a","size":1}\n\n'); // then silence, as from a peer that died
    };
    const events: unknown[] = [];
    const reading = (async () => {
      for await (const e of client().stream('watch', { name: 'a' }, { idleTimeoutMs: 50 })) events.push(e);
    })();
    await expect(reading).rejects.toMatchObject({ constructor: UnreachableError, message: expect.stringContaining('the stream broke: nothing for 50 ms') });
    expect(events).toHaveLength(1);
  });

  it('streams server-sent events, checking each one', async () => {
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\ndata: {"name":"a","size":1}\n\n');
      setTimeout(() => res.end('id: 2\ndata: {"name":"a","size":2}\n\n'), 20);
    };
    const events = [];
    for await (const e of client().stream('watch', { name: 'a' }, { lastEventId: '0' })) events.push(e);
    expect(events).toEqual([
      { id: '1', event: 'message', data: { name: 'a', size: 1 } },
      { id: '2', event: 'message', data: { name: 'a', size: 2 } },
    ]);
    expect(seen.at(-1)?.headers).toMatchObject({ accept: 'text/event-stream', 'last-event-id': '0' });
    script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"name":1}\n\n');
    };
    await expect(client().stream('watch', { name: 'a' }).next()).rejects.toBeInstanceOf(MalformedAnswerError);
    script = (_req, res) => json(res, 404, { success: false, code: 'NOT_FOUND', message: 'no route' });
    await expect(client().stream('watch', { name: 'a' }).next()).rejects.toMatchObject({ constructor: ApiError, code: 'NOT_FOUND' });
  });
});

describe('the contract recorder', () => {
  function app() {
    const a = express();
    a.get('/items/:name', (req, res) => {
      if (req.params.name === 'good') res.json({ name: 'good', size: 1 });
      else if (req.params.name === 'extra') res.json({ name: 'extra', size: 1, color: 'red' });
      else if (req.params.name === 'teapot') res.status(418).json({});
      else if (req.params.name === 'text') res.type('text/plain').send('good');
      else res.status(404).json({ success: false, code: 'ITEM_NOT_FOUND', message: 'no' });
    });
    a.get('/items/:name/events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"name":"a","size":1}\n\n');
      res.end('data: {"name":"a"}\n\n');
    });
    a.get('/undocumented', (_req, res) => res.json({}));
    a.use((_req, res) => res.status(404).json({ success: false, code: 'NOT_FOUND', message: 'no route' }));
    return a;
  }

  it('passes documented answers and names every undocumented one', async () => {
    const recorder = contractRecorder(document);
    const wrapped = recorder.wrap(app());
    await request(wrapped).get('/items/good').expect(200);
    await request(wrapped).get('/items/missing').expect(404);
    await request(wrapped).get('/nowhere').expect(404);
    expect(() => recorder.verify()).not.toThrow();
    await request(wrapped).get('/items/extra');
    await request(wrapped).get('/items/teapot');
    await request(wrapped).get('/items/text');
    await request(wrapped).get('/undocumented');
    await request(wrapped).get('/items/a/events');
    const problems = (() => {
      try {
        recorder.verify();
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(problems.split('\n').slice(1)).toEqual([
      expect.stringContaining("GET /items/{name} 200 application/json: / must NOT have additional properties (color)"),
      '  GET /items/{name} answered 418, which the document does not list',
      '  GET /items/{name} 200: answered text/plain, the document lists application/json',
      '  GET /undocumented answered 200 but is not in the document',
      expect.stringContaining("GET /items/{name}/events 200 text/event-stream: / must have required property 'size'"),
    ]);
    expect(recorder.seen).toContain('GET /items/{name} 200 application/json');
    expect(() => recorder.verify()).not.toThrow();
  });

  it('lists the routes an express app registers, nested routers included', () => {
    const a = express();
    const nested = express.Router();
    nested.get('/x/:id', (_q, r) => void r.end());
    a.use('/api', nested);
    a.post('/items', (_q, r) => void r.end());
    expect(registeredRoutes(a)).toEqual([
      { method: 'GET', path: '/api/x/{id}' },
      { method: 'POST', path: '/items' },
    ]);
    expect(documentedRoutes(document)).toEqual([
      { method: 'GET', path: '/items/{name}' },
      { method: 'POST', path: '/items' },
      { method: 'GET', path: '/items' },
      { method: 'GET', path: '/items/{name}/events' },
    ]);
  });
});
