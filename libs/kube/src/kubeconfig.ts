import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { OptionSpec } from '@ci-stack/core';

/** The flags {@link loadKubeConfig} takes; compose into a service's option list. */
export const KUBE_FLAGS = [
  { name: 'kubeconfig', env: 'KUBECONFIG_PATH', type: 'string', help: 'Kubeconfig file (else in-cluster, else $KUBECONFIG, else ~/.kube/config).' },
  { name: 'context', env: 'KUBE_CONTEXT', type: 'string', help: 'Kubeconfig context to use.' },
] as const satisfies readonly OptionSpec[];

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigSource {
  /** Explicit kubeconfig file (`--kubeconfig`). */
  kubeconfig?: string;
  /** Context to use from it; its current context otherwise. */
  context?: string;
  /** The process environment, for `KUBECONFIG` and the in-cluster service host. */
  env: Readonly<Record<string, string | undefined>>;
  /** For testing: where the in-cluster service account token would be mounted. */
  serviceAccountDir?: string;
}

/** How the Kubernetes client was configured, for logs. */
export type KubeConfigOrigin = 'kubeconfig-flag' | 'in-cluster' | 'KUBECONFIG' | 'home';

/** `--kubeconfig`, else in-cluster service account, else `KUBECONFIG`, else ~/.kube/config. */
export function loadKubeConfig(source: KubeConfigSource): { kubeConfig: KubeConfig; origin: KubeConfigOrigin } {
  const kc = new KubeConfig();
  let origin: KubeConfigOrigin;
  const saDir = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (source.kubeconfig) {
    kc.loadFromFile(source.kubeconfig);
    origin = 'kubeconfig-flag';
  } else if (source.env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, 'token'))) {
    loadInCluster(kc, source.env, saDir);
    origin = 'in-cluster';
  } else if (source.env.KUBECONFIG) {
    kc.loadFromFile(source.env.KUBECONFIG.split(':')[0]);
    origin = 'KUBECONFIG';
  } else {
    kc.loadFromDefault();
    origin = 'home';
  }
  if (source.context) kc.setCurrentContext(source.context);
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig has no cluster for context ${JSON.stringify(kc.getCurrentContext())}`);
  return { kubeConfig: kc, origin };
}

/** Like client-node's `loadFromCluster`, but from the given environment rather than `process.env`. */
function loadInCluster(kc: KubeConfig, env: Readonly<Record<string, string | undefined>>, saDir: string): void {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server, caFile: join(saDir, 'ca.crt'), skipTLSVerify: false }],
    // The token file is re-read as the kubelet rotates it.
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(saDir, 'token') } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }],
    currentContext: 'inClusterContext',
  });
}
