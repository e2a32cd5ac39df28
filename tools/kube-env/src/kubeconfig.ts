import { writeFile } from 'node:fs/promises';
import { dump } from 'js-yaml';

/**
 * A kubeconfig for the test API server. The context is named `default` because Prow maps its
 * `default` build cluster to the context of that name.
 */
export async function writeKubeconfig(path: string, server: string, token: string, user = 'admin'): Promise<string> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-env', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'default', context: { cluster: 'kube-env', user, namespace: 'default' } }],
    'current-context': 'default',
  };
  await writeFile(path, dump(doc), { mode: 0o600 });
  return path;
}
