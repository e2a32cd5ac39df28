import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { FileInvalidError } from '../watched-file';

/** One file of a built console, held in memory (the whole console is a few hundred KiB). */
export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Its name carries a content hash, so it may be cached for a year. */
  immutable: boolean;
}

/** The files of a built console by their path under `/ui/`, e.g. `index.html`, `cimaster-3FJ2K7QA.js`. */
export type StaticAssets = ReadonlyMap<string, StaticFile>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** esbuild's `[name]-[hash]` file names: an 8-character base32 hash before the extension. */
const HASHED = /-[A-Z0-9]{8}\.[a-z]+$/;

/**
 * The Content-Security-Policy of every console answer: scripts, styles and connections from this origin only, no
 * inline script or style, no frames, no plugins. Nothing is loaded from elsewhere, so it works without internet.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Reads a built console directory (flat, as the console build writes it) into memory. */
export async function loadStaticAssets(dir: string): Promise<StaticAssets> {
  const assets = new Map<string, StaticFile>();
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new FileInvalidError(`--console-dir ${dir}: ${err.code === 'ENOENT' ? 'no such directory' : err.message}`);
  });
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue; // .meta.json is the build's, not the browser's
    const body = await readFile(join(dir, entry.name));
    assets.set(entry.name, staticFile(entry.name, body));
  }
  if (!assets.has('index.html')) throw new FileInvalidError(`--console-dir ${dir} holds no index.html: build the console first`);
  return assets;
}

/**
 * The console a service serves: `dir` when given (it must hold a built console), else the `ui` directory the
 * build writes beside the service bundle when it is there, else none (the API works without it).
 */
export async function findConsole(dir: string | undefined, besideBundle: string): Promise<StaticAssets | undefined> {
  if (dir) return loadStaticAssets(dir);
  try {
    return await loadStaticAssets(besideBundle);
  } catch {
    return undefined;
  }
}

/** Describes one file: its type from the extension, a strong ETag from its bytes. */
export function staticFile(name: string, body: Buffer | string): StaticFile {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    body: bytes,
    type: TYPES[extname(name)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
    immutable: HASHED.test(name),
  };
}

export interface ConsoleRoutesOptions {
  /** The built console; without it the console's paths answer the service's 404 and `/` is left alone. */
  assets?: StaticAssets;
  /** What the console reads from `/ui/config.json` at start (e.g. the other console's URL). */
  config: Record<string, unknown>;
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function sendFile(req: Request, res: Response, file: StaticFile): void {
  securityHeaders(res);
  res.setHeader('Content-Type', file.type);
  res.setHeader('ETag', file.etag);
  // Hashed files never change; index.html and config.json are revalidated, so a new version shows at once.
  res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (req.get('if-none-match') === file.etag) {
    res.status(304).end();
    return;
  }
  res.status(200).send(req.method === 'HEAD' ? undefined : file.body);
}

/** True for a browser opening the page: it prefers HTML to anything else a probe or curl would take. */
export function wantsHtml(req: Request): boolean {
  return Boolean(req.get('accept')) && req.accepts(['text/plain', 'application/json', 'text/html']) === 'text/html';
}

/**
 * Serves a built console under `/ui/` with caching headers and a strict CSP, and sends a browser that opens `/`
 * there. Probes and curl (`Accept: *\/*` or none) still get whatever `/` answered before: mount this first.
 */
export function consoleRoutes(opts: ConsoleRoutesOptions): Router {
  const router = Router({ strict: true }); // `/ui` and `/ui/` differ: relative asset URLs need the slash
  const { assets } = opts;
  const config = staticFile('config.json', JSON.stringify(opts.config));
  if (assets) {
    // A middleware, not a route: `GET /` stays the probe's route.
    router.use((req, res, next) => {
      if (req.path === '/' && req.method === 'GET' && wantsHtml(req)) return void res.status(302).location('/ui/').end();
      next();
    });
  }
  router.get('/ui', (_req, res) => void res.status(301).location('/ui/').end()); // no body: the contract lists none
  router.get('/ui/', (req, res, next) => (assets ? sendFile(req, res, assets.get('index.html') as StaticFile) : next()));
  router.get('/ui/config.json', (req, res, next) => (assets ? sendFile(req, res, config) : next()));
  router.get('/ui/:file', (req, res, next) => {
    const file = assets?.get(req.params.file);
    if (!file || req.params.file === 'index.html') return next();
    sendFile(req, res, file);
  });
  return router;
}
