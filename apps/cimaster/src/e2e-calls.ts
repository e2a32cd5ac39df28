import type { Router } from 'express';
import type { ClusterPool } from '@ci-stack/pool';
import { callRouter, type Auth } from './calls';
import { clusterView, reply } from './views';

/** The calls e2e pods and people make on a cluster they got: finish, heartbeat, hold and release. */
export function e2eCallRoutes(deps: { pool: ClusterPool; auth?: Auth; wake?: () => void }): Router {
  const { pool } = deps;
  return callRouter(deps.auth, {
    finishtest: {
      role: 'e2e',
      handle: async (req, res, p) => {
        const { cluster, alreadyFinished } = await pool.finish(p.cluster, p.build);
        if (cluster.state === 'cleaning' && !alreadyFinished) deps.wake?.();
        reply(req, res, 200, `cluster ${cluster.name} is finished${alreadyFinished ? ' already' : ' successfully'}`, { cluster: clusterView(cluster), already_finished: alreadyFinished });
      },
    },
    heartbeat: {
      role: 'e2e',
      handle: async (req, res, p) => {
        const cluster = await pool.heartbeat(p.cluster, p.build);
        reply(req, res, 200, `cluster ${cluster.name} lease extended until ${cluster.leaseExpires}`, { cluster: clusterView(cluster) });
      },
    },
    holdcluster: {
      role: 'e2e',
      handle: async (req, res, p, caller) => {
        const cluster = await pool.hold(p.cluster, p.hours, p.user ?? caller.identity);
        reply(req, res, 200, `cluster ${cluster.name} is held until ${cluster.holdExpires}`, { cluster: clusterView(cluster) });
      },
    },
    releasecluster: {
      role: 'e2e',
      handle: async (req, res, p, caller) => {
        // With auth on, a hold someone named is theirs (or an admin's) to release; the pool checks it in the write.
        const releaser = deps.auth && caller.role !== 'admin' ? { user: caller.identity ?? p.user } : undefined;
        const cluster = await pool.release(p.cluster, releaser);
        if (cluster.state === 'cleaning') deps.wake?.();
        reply(req, res, 200, `cluster ${cluster.name} is released successfully`, { cluster: clusterView(cluster) });
      },
    },
  });
}
