import type { Router } from 'express';
import type { Cluster, ClusterPool } from '@ci-stack/pool';
import { callRouter, str, type Auth, type CallSpec, type Params } from './calls';
import type { TriggerAnswer } from './create-cluster';
import { clusterView, reply } from './views';

export interface AdminDeps {
  pool: ClusterPool;
  auth?: Auth;
  createCluster: (req: { user?: string; branch: string; requestId: string }) => Promise<TriggerAnswer>;
}

/** A call that changes one cluster and answers as the original did: `cluster NAME is DONE successfully`. */
function answered(done: string, change: (p: Params) => Promise<Cluster>): CallSpec['handle'] {
  return async (req, res, p) => {
    const cluster = await change(p);
    reply(req, res, 200, `cluster ${cluster.name} is ${done} successfully`, { cluster: clusterView(cluster) });
  };
}

/** The admin calls: add, disable, enable and delete clusters, and have manual-trigger create one. */
export function adminCallRoutes(deps: AdminDeps): Router {
  const { pool } = deps;
  return callRouter(deps.auth, {
    '/addcluster': {
      params: { cluster: { kind: 'cluster', required: true }, region: { kind: 'region', required: true }, name: { kind: 'text' } },
      role: 'admin',
      handle: async (req, res, p, caller) => {
        const cluster = await pool.add(str(p.cluster), str(p.region), (p.name as string | undefined) ?? caller.identity);
        req.log.info({ cluster: cluster.name, region: cluster.region, by: cluster.addedBy }, 'cluster added');
        reply(req, res, 200, `cluster ${cluster.name} is added successfully`, { cluster: clusterView(cluster) });
      },
    },
    '/disablecluster': {
      params: { cluster: { kind: 'cluster', required: true }, reason: { kind: 'text' } },
      role: 'admin',
      handle: answered('disabled', (p) => pool.disable(str(p.cluster), p.reason as string | undefined)),
    },
    '/enablecluster': {
      params: { cluster: { kind: 'cluster', required: true } },
      role: 'admin',
      handle: answered('enabled', (p) => pool.enable(str(p.cluster))),
    },
    '/deletecluster': {
      params: { cluster: { kind: 'cluster', required: true } },
      role: 'admin',
      handle: answered('deleted', (p) => pool.delete(str(p.cluster))),
    },
    '/createcluster': {
      params: { user: { kind: 'text' }, branch: { kind: 'text' } },
      role: 'admin',
      handle: async (req, res, p, caller) => {
        const answer = await deps.createCluster({ user: (p.user as string | undefined) ?? caller.identity, branch: (p.branch as string | undefined) ?? 'master', requestId: req.id });
        const text = [`cluster creation job ${answer.job_name} triggered`, answer.status_link && `status: ${answer.status_link}`, answer.log_link && `log: ${answer.log_link}`].filter(Boolean).join('\n');
        reply(req, res, 200, text, { manual_trigger: answer });
      },
    },
  });
}
