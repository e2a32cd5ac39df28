import { z } from 'zod';
import type { HeaderSpec, HttpMethod, ResponseSpec, RouteSpec, RouteTable } from './route';

export type JsonSchema = Record<string, unknown>;

/** An OpenAPI 3.1 document (only the parts this builder writes are typed). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  security: Array<Record<string, string[]>>;
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface BuildOptions {
  info: OpenApiDocument['info'];
  routes: RouteTable;
  /** What any path or method outside the table answers. */
  unknownRoute: ResponseSpec;
}

const REF = '#/components/schemas/';

/** Builds the OpenAPI 3.1 document of a route table; shared schemas (those with a meta `id`) become components. */
export function buildOpenApi(opts: BuildOptions): OpenApiDocument {
  const schemas = new SchemaCollector();
  const paths: OpenApiDocument['paths'] = {};
  for (const [id, route] of Object.entries(opts.routes)) {
    const item = (paths[route.path] ??= {});
    route.methods.forEach((method, i) => {
      item[method.toLowerCase()] = operation(schemas, i === 0 ? id : `${id}${capitalize(method.toLowerCase())}`, route, method);
    });
  }
  return {
    openapi: '3.1.0',
    info: opts.info,
    paths,
    components: {
      schemas: schemas.components,
      responses: { UnknownRoute: response(schemas, opts.unknownRoute) },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from the service\'s token file; only when its authentication is on.' } },
    },
  };
}

function operation(schemas: SchemaCollector, operationId: string, route: RouteSpec, method: HttpMethod): OpenApiOperation {
  const withBody = method === 'POST' && route.paramsFrom === 'query-or-body';
  const parameters = [
    ...objectParameters(schemas, route.pathParams, 'path', true),
    ...(withBody ? [] : objectParameters(schemas, route.params, 'query', true)),
    ...Object.entries(route.headers ?? {}).map(([name, h]) => headerParameter(schemas, name, h)),
  ];
  const op: OpenApiOperation = {
    operationId,
    summary: route.summary,
    ...describe(route),
    ...(route.tags ? { tags: [...route.tags] } : {}),
    ...(parameters.length ? { parameters } : {}),
    security: route.auth && route.auth !== 'none' ? [{}, { bearerAuth: [] }] : [],
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, response(schemas, r as ResponseSpec)])),
  };
  if (withBody && route.params) {
    const schema = schemas.convert(route.params, 'input');
    op.requestBody = {
      description: 'The parameters as a JSON object or a form; they may also be given in the query string (the body wins).',
      required: false,
      content: { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema } },
    };
  }
  return op;
}

function describe(route: RouteSpec): { description?: string } {
  const parts = [route.description, route.auth && route.auth !== 'none' && `Authentication (when on): ${route.auth}.`].filter(Boolean);
  return parts.length ? { description: parts.join('\n\n') } : {};
}

function objectParameters(schemas: SchemaCollector, object: z.ZodType | undefined, where: 'path' | 'query', honourRequired: boolean): Array<Record<string, unknown>> {
  if (!object) return [];
  const json = schemas.convert(object, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, prop]) => {
    const { description, ...schema } = prop;
    return { name, in: where, required: where === 'path' || (honourRequired && required.has(name)), ...(description ? { description } : {}), schema };
  });
}

function headerParameter(schemas: SchemaCollector, name: string, h: HeaderSpec): Record<string, unknown> {
  return { name, in: 'header', required: h.required ?? false, description: h.description, schema: schemas.convert(h.schema, 'input') };
}

function response(schemas: SchemaCollector, r: ResponseSpec): OpenApiResponse {
  const out: OpenApiResponse = { description: r.description };
  if (r.headers) out.headers = Object.fromEntries(Object.entries(r.headers).map(([name, h]) => [name, { description: h.description, schema: schemas.convert(h.schema, 'output') }]));
  if (r.content) out.content = Object.fromEntries(Object.entries(r.content).map(([media, schema]) => [media, { schema: schemas.convert(schema as z.ZodType, 'output') }]));
  return out;
}

/** Converts zod schemas to JSON Schema 2020-12 and hoists the ones with an `id` into `components.schemas`. */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    for (const [id, def] of Object.entries(defs)) this.add(id, rewriteRefs(def) as JsonSchema);
    return rewriteRefs(json) as JsonSchema;
  }

  private add(id: string, schema: JsonSchema): void {
    const existing = this.components[id];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) throw new Error(`schema ${id} is defined twice, differently`);
    this.components[id] = schema;
  }
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? REF + v.slice('#/$defs/'.length) : rewriteRefs(v)]),
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
