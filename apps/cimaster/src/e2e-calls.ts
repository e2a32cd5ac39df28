import type { Router } from 'express';
import type { ClusterPool } from '@ci-stack/pool';
import { callRouter, type Auth } from './calls';
import { clusterView, reply } from './views';

/**
 * The calls e2e pods and people make on a cluster they got: finish, heartbeat, hold and release. Who may act on
 * which lease or hold is the pool's decision, made inside the change (`Acting`, docs/security.md): these only say
 * who calls and what the request names.
 */
export function e2eCallRoutes(deps: { pool: ClusterPool; auth?: Auth; wake?: () => void }): Router {
  const { pool } = deps;
  return callRouter(deps.auth, {
    finishtest: {
      role: 'e2e',
      handle: async (req, res, p, caller) => {
        const { cluster, alreadyFinished } = await pool.finish(p.cluster, { actor: caller.actor, build: p.build });
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
        const cluster = await pool.hold(p.cluster, p.hours, { actor: caller.actor, build: p.build, user: p.user });
        reply(req, res, 200, `cluster ${cluster.name} is held until ${cluster.holdExpires}`, { cluster: clusterView(cluster) });
      },
    },
    releasecluster: {
      role: 'e2e',
      handle: async (req, res, p, caller) => {
        const cluster = await pool.release(p.cluster, { actor: caller.actor, build: p.build, user: p.user });
        if (cluster.state === 'cleaning') deps.wake?.();
        reply(req, res, 200, `cluster ${cluster.name} is released successfully`, { cluster: clusterView(cluster) });
      },
    },
  });
}
