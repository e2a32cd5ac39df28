import { Router } from 'express';
import { ClusterNotFoundError, assertDnsLabel, type ClusterPool } from '@ci-stack/pool';
import { readParams } from './params';
import { clusterDetail, clusterView, ticketView } from './views';

/** Read-only JSON views of the pool: every cluster and the queue, one cluster with its history, the queue (or one waiter's place in it). */
export function poolRoutes(pool: ClusterPool): Router {
  const router = Router();
  router.get('/clusters', async (req, res) => {
    readParams(req, {});
    const state = await pool.snapshot();
    res.json({ clusters: [...state.clusters.values()].sort((a, b) => a.name.localeCompare(b.name)).map(clusterView), queue: state.queue.map((t, i) => ticketView(t, i + 1)) });
  });
  router.get('/clusters/:name', async (req, res) => {
    const name = req.params.name;
    assertDnsLabel('cluster', name);
    const cluster = (await pool.snapshot()).clusters.get(name);
    if (!cluster) throw new ClusterNotFoundError(name);
    res.json(clusterDetail(cluster));
  });
  router.get('/queue', async (req, res) => {
    // build and job pick one waiter's tickets (keeping their place in the whole queue), for the shell client.
    const p = readParams(req, { build: { kind: 'text' }, job: { kind: 'text' } });
    const tickets = (await pool.queue()).map((t, i) => ({ t, position: i + 1 }));
    const mine = tickets.filter(({ t }) => (p.build === undefined || t.build === p.build) && (p.job === undefined || t.job === p.job));
    res.json({ queue: mine.map(({ t, position }) => ticketView(t, position)) });
  });
  return router;
}
