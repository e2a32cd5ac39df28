import { resolve } from 'node:path';
import { freePort, startProcess, waitUntil, type Managed } from '@ci-stack/kube-env';

export const ROOT = resolve(__dirname, '..', '..', '..');

export interface RunningService {
  url: string;
  metricsUrl: string;
  process: Managed;
  stop(): Promise<void>;
}

/** Starts a service from its bundle (dist/apps/<app>/main.js, what the image ships) and waits until it is ready. */
export async function startService(app: 'manual-trigger' | 'cimaster', args: string[]): Promise<RunningService> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const proc = startProcess(app, process.execPath, [resolve(ROOT, 'dist/apps', app, 'main.js'), '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort), '--log-level', 'warn', ...args], {
    ...process.env,
    KUBECONFIG: '',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`${app} /readyz`, async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 30_000, process: proc });
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: proc, stop: () => proc.stop() };
}
