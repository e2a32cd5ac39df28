import { Router } from 'express';
import { cimasterDocument, cimasterRoutes, readCallParams } from '@ci-stack/cimaster-api';
import { expressPath } from '@ci-stack/http-contract';
import { ClusterNotFoundError, type ClusterPool } from '@ci-stack/pool';
import { clusterDetail, clusterView, ticketView } from './views';

/**
 * Read-only JSON views of the pool (every cluster and the queue, one cluster with its history, the queue or one
 * waiter's place in it) and the API document.
 */
export function poolRoutes(pool: ClusterPool): Router {
  const router = Router();
  router.get(cimasterRoutes.clusters.path, async (req, res) => {
    readCallParams(cimasterRoutes.clusters.params, req.query, req.body);
    const state = await pool.snapshot();
    res.json({ clusters: [...state.clusters.values()].sort((a, b) => a.name.localeCompare(b.name)).map(clusterView), queue: state.queue.map((t, i) => ticketView(t, i + 1)) });
  });
  router.get(expressPath(cimasterRoutes.cluster.path), async (req, res) => {
    const { name } = readCallParams(cimasterRoutes.cluster.pathParams, req.params, undefined);
    const cluster = (await pool.snapshot()).clusters.get(name);
    if (!cluster) throw new ClusterNotFoundError(name);
    res.json(clusterDetail(cluster));
  });
  router.get(cimasterRoutes.queue.path, async (req, res) => {
    // build and job pick one waiter's tickets (keeping their place in the whole queue), for the shell client.
    const p = readCallParams(cimasterRoutes.queue.params, req.query, req.body);
    const tickets = (await pool.queue()).map((t, i) => ({ t, position: i + 1 }));
    const mine = tickets.filter(({ t }) => (p.build === undefined || t.build === p.build) && (p.job === undefined || t.job === p.job));
    res.json({ queue: mine.map(({ t, position }) => ticketView(t, position)) });
  });
  router.get(cimasterRoutes.openapi.path, (_req, res) => {
    res.json(cimasterDocument());
  });
  return router;
}
