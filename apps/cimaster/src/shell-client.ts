import { Router } from 'express';
import type { ClusterPool } from '@ci-stack/pool';
import clientScript from './client.sh';

/** On getvacant and heartbeat replies: the testing lease in seconds, so a client knows how often to heartbeat. */
export const LEASE_HEADER = 'Cimaster-Lease-Seconds';

/**
 * What cimaster does for its shell client (docs/cimaster.md, "Shell client"): serves it at `GET /client.sh`, open
 * to everyone since it holds no secret, and tells the lease length on every getvacant and heartbeat reply.
 */
export function shellClientRoutes(pool: Pick<ClusterPool, 'leaseMs'>): Router {
  const router = Router();
  router.get('/client.sh', (_req, res) => {
    // text/plain, so a browser shows it; no-cache, so a proxy checks its ETag before serving an old copy.
    res.set('Cache-Control', 'no-cache').type('text/plain').send(clientScript);
  });
  const leaseSeconds = String(Math.round(pool.leaseMs / 1000));
  router.use(['/getvacant', '/heartbeat'], (_req, res, next) => {
    res.setHeader(LEASE_HEADER, leaseSeconds);
    next();
  });
  return router;
}
