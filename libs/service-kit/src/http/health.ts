import { Router } from 'express';

export interface ReadinessCheck {
  ok: boolean;
  message?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

/**
 * Probe routes: `/` and `/healthz` answer 200 while the process serves (old probes use `/`); `/readyz` answers
 * 200 or 503 with the individual checks.
 */
export function healthRoutes(opts: { ready: () => Promise<Readiness> }): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let readiness: Readiness;
    try {
      readiness = await opts.ready();
    } catch (err) {
      readiness = { ready: false, checks: { readiness: { ok: false, message: (err as Error).message } } };
    }
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks });
  });
  return router;
}

/** Combines named checks into one readiness answer. */
export function allReady(checks: Record<string, ReadinessCheck>): Readiness {
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
