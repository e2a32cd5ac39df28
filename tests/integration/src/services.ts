import { resolve } from 'node:path';
import { type NodeService, startNodeService } from '@ci-stack/kube-env';

export const ROOT = resolve(__dirname, '..', '..', '..');

export type RunningService = NodeService;

/**
 * Starts a service from its bundle (dist/apps/<app>/main.js, what the image ships) and waits until `readyPath`
 * (default `/readyz`) answers 2xx.
 */
export function startService(app: 'manual-trigger' | 'cimaster', args: string[], opts: { readyPath?: string } = {}): Promise<RunningService> {
  // No KUBECONFIG from the developer's shell: each test says which cluster the service talks to.
  return startNodeService(resolve(ROOT, 'dist/apps', app, 'main.js'), args, { name: app, env: { KUBECONFIG: '' }, readyPath: opts.readyPath });
}
