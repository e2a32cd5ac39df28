import type { Router } from 'express';
import { assertLabels, type Cluster, type ClusterPool } from '@ci-stack/pool';
import { ValidationError } from '@ci-stack/core';
import { callRouter, type Auth, type CallSpec } from './calls';
import type { CreateClusterRequest, TriggerAnswer } from './create-cluster';
import type { ProvisionCall } from './job-follower';
import { clusterView, reply } from './views';

export interface AdminDeps {
  pool: ClusterPool;
  auth?: Auth;
  createCluster: (req: CreateClusterRequest) => Promise<TriggerAnswer>;
  provision?: (req: ProvisionCall) => Promise<{ cluster: Cluster; answer: TriggerAnswer }>;
}

/** createcluster?cluster=&region=[&labels=]: the cluster is recorded as provisioning and followed to its end. */
async function provisionCluster(deps: AdminDeps, p: { cluster?: string; region?: string; labels?: string; user?: string; branch?: string }, who: { user?: string; requestId: string }): Promise<{ text: string; json: Record<string, unknown> }> {
  if (p.cluster === undefined || p.region === undefined) throw new ValidationError('createcluster with cluster=, region= or labels= needs both cluster= and region= (without any of them it only triggers the creation job)');
  if (!deps.provision) throw new ValidationError('this cimaster does not follow cluster creation: createcluster takes only user= and branch=');
  const labels = p.labels === undefined ? undefined : assertLabels('labels', p.labels);
  const { cluster, answer } = await deps.provision({ name: p.cluster, region: p.region, labels, user: who.user, branch: p.branch, requestId: who.requestId });
  const text = [`cluster ${cluster.name} is provisioning: creation job ${answer.job_name} triggered`, answer.status_link && `status: ${answer.status_link}`, answer.log_link && `log: ${answer.log_link}`].filter(Boolean).join('\n');
  return { text, json: { cluster: clusterView(cluster), manual_trigger: answer } };
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
        const cluster = await pool.add(p.cluster, p.region, p.name ?? caller.identity, p.labels === undefined ? undefined : assertLabels('labels', p.labels));
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
        if (p.cluster !== undefined || p.region !== undefined || p.labels !== undefined) {
          const done = await provisionCluster(deps, p, { user: p.user ?? caller.identity, requestId: req.id });
          req.log.info({ cluster: p.cluster, prowjob: (done.json.manual_trigger as TriggerAnswer).job_name }, 'cluster provisioning');
          return reply(req, res, 200, done.text, done.json);
        }
        const answer = await deps.createCluster({ user: p.user ?? caller.identity, branch: p.branch ?? 'master', requestId: req.id });
        const text = [`cluster creation job ${answer.job_name} triggered`, answer.status_link && `status: ${answer.status_link}`, answer.log_link && `log: ${answer.log_link}`].filter(Boolean).join('\n');
        reply(req, res, 200, text, { manual_trigger: answer });
      },
    },
  });
}
