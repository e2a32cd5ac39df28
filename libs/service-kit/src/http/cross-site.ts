import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '@ci-stack/core';

export class CrossSiteRequestError extends DomainError {
  constructor(method: string, path: string) {
    super('forbidden', 'CROSS_SITE_REQUEST', `${method} ${path} from another site's page is refused: call it from this service's console, curl or a script`);
  }
}

/**
 * Refuses requests that another site's page makes a browser send (cross-site request forgery): a form or an image
 * there would otherwise abort jobs or take clusters with the visitor's network access, and with authentication
 * off nothing else stops it. Browsers say where a request comes from (`Sec-Fetch-Site`; older ones only `Origin`);
 * curl, scripts and the services' own clients send neither and are not affected. `readOnly` names the GET
 * requests another site may still make, such as following a link to the console.
 */
export function crossSiteGuard(opts: { readOnly: (req: Request) => boolean }): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!fromAnotherSite(req)) return next();
    if ((req.method === 'GET' || req.method === 'HEAD') && opts.readOnly(req)) return next();
    next(new CrossSiteRequestError(req.method, req.path));
  };
}

function fromAnotherSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = req.get('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true; // "null" (a sandboxed frame, a file) or garbage
  }
}
