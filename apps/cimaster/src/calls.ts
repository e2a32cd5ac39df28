import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { cimasterRoutes, readCallParams, type CimasterRoutes } from '@ci-stack/cimaster-api';
import { OPEN_CALLER, type Caller, type Role, type TokenAuth } from './auth';

/** The original calls: GET (as the original) or POST, parameters from the query string, a form or JSON. */
export type CallId = { [K in keyof CimasterRoutes]: CimasterRoutes[K] extends { paramsFrom: 'query-or-body' } ? K : never }[keyof CimasterRoutes];

/** A call's parameters as its contract reads them. */
export type ParamsOf<K extends CallId> = z.output<CimasterRoutes[K]['params']>;

/** What one of the original calls does, and the role it needs when auth is on; path and parameters are the contract's. */
export interface CallSpec<K extends CallId> {
  role: Role;
  handle: (req: Request, res: Response, params: ParamsOf<K>, caller: Caller) => Promise<void>;
  /** Sees every failure of the call, bad credentials and parameters included (for its metrics). */
  onError?: (err: unknown) => void;
}

export type Auth = Pick<TokenAuth, 'identify'>;

/** A router for some of the original calls, at the contract's path and methods: authentication, then parameters. */
export function callRouter(auth: Auth | undefined, calls: { [K in CallId]?: CallSpec<K> }): Router {
  const router = Router();
  for (const id of Object.keys(calls) as CallId[]) {
    const spec = calls[id] as CallSpec<typeof id>;
    const route = cimasterRoutes[id];
    const run = async (req: Request, res: Response): Promise<void> => {
      try {
        const caller = auth ? auth.identify(req.get('authorization'), spec.role) : OPEN_CALLER;
        await spec.handle(req, res, readCallParams(route.params, req.query, req.body) as ParamsOf<typeof id>, caller);
      } catch (err) {
        spec.onError?.(err);
        throw err;
      }
    };
    for (const method of route.methods) router[method === 'GET' ? 'get' : 'post'](route.path, run);
  }
  return router;
}
