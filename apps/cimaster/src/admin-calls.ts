import type { Router } from 'express';
import type { Cluster, ClusterPool } from '@ci-stack/pool';
import { callRouter, type Auth, type CallSpec } from './calls';
import type { CreateClusterRequest, TriggerAnswer } from './create-cluster';
import { clusterView, reply } from './views';

export interface AdminDeps {
  pool: ClusterPool;
  auth?: Auth;
  createCluster: (req: CreateClusterRequest) => Promise<TriggerAnswer>;
}

/** A call that changes one cluster and answers as the original did: `cluster NAME is DONE successfully`. */
function answered<K extends 'disablecluster' | 'enablecluster' | 'deletecluster'>(done: string, change: (p: Parameters<CallSpec<K>['handle']>[2]) => Promise<Cluster>): CallSpec<K>['handle'] {
  return async (req, res, p) => {
    const cluster = await change(p);
    reply(req, res, 200, `cluster ${cluster.name} is ${done} successfully`, { cluster: clusterView(cluster) });
  };
}

/** The admin calls: add, disable, enable and delete clusters, and have manual-trigger create one. */
export function adminCallRoutes(deps: AdminDeps): Router {
  const { pool } = deps;
  return callRouter(deps.auth, {
    addcluster: {
      role: 'admin',
      handle: async (req, res, p, caller) => {
        const cluster = await pool.add(p.cluster, p.region, p.name ?? caller.identity);
        req.log.info({ cluster: cluster.name, region: cluster.region, by: cluster.addedBy }, 'cluster added');
        reply(req, res, 200, `cluster ${cluster.name} is added successfully`, { cluster: clusterView(cluster) });
      },
    },
    disablecluster: {
      role: 'admin',
      handle: answered<'disablecluster'>('disabled', (p) => pool.disable(p.cluster, p.reason)),
    },
    enablecluster: {
      role: 'admin',
      handle: answered<'enablecluster'>('enabled', (p) => pool.enable(p.cluster)),
    },
    deletecluster: {
      role: 'admin',
      handle: answered<'deletecluster'>('deleted', (p) => pool.delete(p.cluster)),
    },
    createcluster: {
      role: 'admin',
      handle: async (req, res, p, caller) => {
        const answer = await deps.createCluster({ user: p.user ?? caller.identity, branch: p.branch ?? 'master', requestId: req.id });
        const text = [`cluster creation job ${answer.job_name} triggered`, answer.status_link && `status: ${answer.status_link}`, answer.log_link && `log: ${answer.log_link}`].filter(Boolean).join('\n');
        reply(req, res, 200, text, { manual_trigger: answer });
      },
    },
  });
}
