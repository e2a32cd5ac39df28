import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isExpectedRefusal } from './error-handler';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Request id: the caller's X-Request-Id when it is sane, else a new UUID. */
      id: string;
      /** Logger bound to this request's id. */
      log: Logger;
    }
  }
}

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DEFAULT_QUIET = ['/', '/healthz', '/readyz', '/metrics'];

/** Calls `done` once: when the answer is finished, or when the connection closes before that. */
export function onceDone(res: Response, done: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    done();
  };
  res.on('finish', once);
  res.on('close', once);
}

/**
 * Gives every request an id (echoed in `X-Request-Id`) and a child logger, and writes one access-log line per
 * request when it finishes or the client leaves; probe and metrics paths stay out of the access log.
 */
export function requestContext(opts: { logger: Logger; quietPaths?: readonly string[] }): RequestHandler {
  const quiet = new Set(opts.quietPaths ?? DEFAULT_QUIET);
  return (req: Request, res: Response, next: NextFunction) => {
    const offered = req.get('x-request-id');
    req.id = offered && SANE_ID.test(offered) ? offered : randomUUID();
    req.log = opts.logger.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    if (!quiet.has(req.path)) {
      const started = process.hrtime.bigint();
      const done = (): void => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const level = res.statusCode >= 500 && !isExpectedRefusal(res) ? 'error' : 'info';
        // An event stream or a long wait usually ends by the client leaving: logged too, as closed by the client.
        const closedByClient = res.writableFinished ? {} : { closedByClient: true };
        req.log[level]({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...closedByClient }, 'request');
      };
      onceDone(res, done);
    }
    next();
  };
}
