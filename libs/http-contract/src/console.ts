import { z } from 'zod';
import type { ResponseSpec, RouteSpec } from './route';

const notModified = { description: 'The copy the browser has is current (If-None-Match)' };
const caching = {
  'Cache-Control': { description: '`no-cache` for index.html and config.json, a year and `immutable` for files whose names carry a content hash', schema: z.string() },
  ETag: { description: 'Strong validator of the bytes', schema: z.string() },
  'Content-Security-Policy': { description: "Scripts, styles and connections from this origin only; nothing inline", schema: z.string() },
};

/**
 * The routes of a service's web console (see service-kit's consoleRoutes). `config` is the schema of what the
 * console reads at start; `notFound` is how the service answers a path it does not serve (also `/ui/` when it was
 * started without a built console).
 */
// eslint-disable-next-line @typescript-eslint/explicit-module-boundary-types -- the literal route types are the point: the typed client derives from them
export function consoleRouteSpecs<C extends z.ZodType>(config: C, notFound: ResponseSpec) {
  return {
    consoleRedirect: {
      summary: 'The console lives at /ui/ (with the slash)',
      tags: ['console'],
      methods: ['GET'],
      path: '/ui',
      auth: 'none',
      responses: { 301: { description: 'To /ui/', headers: { Location: { description: '/ui/', schema: z.literal('/ui/') } } } },
    },
    console: {
      summary: 'The web console (a page that loads its script and stylesheet from /ui/)',
      tags: ['console'],
      methods: ['GET'],
      path: '/ui/',
      auth: 'none (the console asks for a token for the calls that need one)',
      responses: { 200: { description: 'The page', content: { 'text/html': z.string() }, headers: caching }, 304: notModified, 404: notFound },
    },
    consoleConfig: {
      summary: 'What the console reads at start',
      tags: ['console'],
      methods: ['GET'],
      path: '/ui/config.json',
      auth: 'none',
      responses: { 200: { description: 'The settings', content: { 'application/json': config }, headers: caching }, 304: notModified, 404: notFound },
    },
    consoleFile: {
      summary: "One of the console's built files",
      tags: ['console'],
      methods: ['GET'],
      path: '/ui/{file}',
      pathParams: z.object({ file: z.string().describe('A file name the page refers to, e.g. console-3FJ2K7QA.js') }),
      auth: 'none',
      responses: {
        200: { description: 'The file', content: { 'text/javascript': z.string(), 'text/css': z.string(), 'application/json': z.unknown().describe('A source map') }, headers: caching },
        304: notModified,
        404: notFound,
      },
    },
  } as const satisfies Record<string, RouteSpec>;
}

/** The fields every console's config has. */
export const consoleConfigBase = {
  service: z.string().describe('Which service this is'),
  peer_url: z.string().nullable().describe("The other console's URL, when the operator gave it (a link)"),
  auth: z.boolean().describe('Whether the service checks tokens'),
};
