// An in-repo fake Kubernetes API server answering after a fixed latency, in its own process, for benchmarks:
// prints its kubeconfig path on stdout, runs until killed.
import { startFakeKubeApi } from '@ci-stack/kube/testing';

async function main(): Promise<void> {
  const latencyMs = Number(process.argv[2] ?? '5');
  const api = await startFakeKubeApi();
  api.setLatency(latencyMs);
  if (process.argv.includes('--plank')) api.simulatePlank({ delayMs: 1 });
  process.stdout.write(`${api.kubeconfigPath}\n`);
}

void main();
