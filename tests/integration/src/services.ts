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

/** One sample of a service's own metrics, e.g. `cimaster_leader_status`; 0 when absent. */
export async function metric(service: RunningService, sample: string): Promise<number> {
  const text = await (await fetch(service.metricsUrl)).text();
  return Number(text.split('\n').find((line) => line.startsWith(`${sample} `))?.split(' ')[1] ?? 0);
}

/** Which of two replicas leads the background loops, once exactly one says so. */
export async function leaderOf(replicas: [RunningService, RunningService]): Promise<{ lead: RunningService; follow: RunningService }> {
  for (;;) {
    const status = [await metric(replicas[0], 'cimaster_leader_status'), await metric(replicas[1], 'cimaster_leader_status')];
    if (status[0] + status[1] === 1) return status[0] === 1 ? { lead: replicas[0], follow: replicas[1] } : { lead: replicas[1], follow: replicas[0] };
    await new Promise((r) => setTimeout(r, 100));
  }
}
