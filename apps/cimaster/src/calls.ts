import { Router, type Request, type Response } from 'express';
import type { Caller, Role, TokenAuth } from './auth';
import { readParams, type ParamSpec } from './params';

export type Params = Record<string, string | number | undefined>;

/** One of the original calls: its parameters, the role it needs when auth is on, and what it does. */
export interface CallSpec {
  params: ParamSpec;
  role: Role;
  handle: (req: Request, res: Response, params: Params, caller: Caller) => Promise<void>;
  /** Sees every failure of the call, bad credentials and parameters included (for its metrics). */
  onError?: (err: unknown) => void;
}

export type Auth = Pick<TokenAuth, 'identify'>;

/** A router for the original calls: each answers GET (as the original did) and POST alike. */
export function callRouter(auth: Auth | undefined, calls: Record<string, CallSpec>): Router {
  const router = Router();
  for (const [path, spec] of Object.entries(calls)) {
    const run = async (req: Request, res: Response): Promise<void> => {
      try {
        const caller = auth ? auth.identify(req.get('authorization'), spec.role) : {};
        await spec.handle(req, res, readParams(req, spec.params), caller);
      } catch (err) {
        spec.onError?.(err);
        throw err;
      }
    };
    router.get(path, run);
    router.post(path, run);
  }
  return router;
}

/** A parameter the call's spec marks as required, as text. */
export const str = (v: string | number | undefined): string => String(v);
