import { z } from 'zod';
import type { RouteSpec } from './route';

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not ready']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() })),
  })
  .meta({ id: 'Readiness', description: 'Readiness and the checks it is made of' });

/** The probe routes every service answers (see service-kit's healthRoutes). */
export const probeRoutes = {
  root: {
    summary: 'Liveness for old probes',
    tags: ['probes'],
    methods: ['GET'],
    path: '/',
    auth: 'none',
    responses: {
      200: { description: 'The process serves', content: { 'text/plain': z.literal('ok') } },
      302: { description: 'A browser (`Accept` preferring text/html) is sent to the console at /ui/, when the service serves one', headers: { Location: { description: '/ui/', schema: z.literal('/ui/') } } },
    },
  },
  healthz: {
    summary: 'Liveness',
    tags: ['probes'],
    methods: ['GET'],
    path: '/healthz',
    auth: 'none',
    responses: { 200: { description: 'The process serves', content: { 'application/json': z.object({ status: z.literal('ok') }) } } },
  },
  readyz: {
    summary: 'Readiness: every dependency answers',
    tags: ['probes'],
    methods: ['GET'],
    path: '/readyz',
    auth: 'none',
    responses: {
      200: { description: 'Ready', content: { 'application/json': readinessSchema } },
      503: { description: 'Not ready; the failing checks say why', content: { 'application/json': readinessSchema } },
    },
  },
} as const satisfies Record<string, RouteSpec>;

/** `GET /openapi.json`: the document itself. */
export const documentRoute = {
  summary: 'This OpenAPI 3.1 document',
  tags: ['meta'],
  methods: ['GET'],
  path: '/openapi.json',
  auth: 'none',
  responses: {
    200: { description: 'The document', content: { 'application/json': z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }) } },
  },
} as const satisfies RouteSpec;
