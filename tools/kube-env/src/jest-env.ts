import { KubeConfig } from '@kubernetes/client-node';
import { type Binaries, ensureBinaries } from './binaries';

/** What the integration tier's global setup shares with its suites (through the environment). */
export interface SharedKubeEnv {
  server: string;
  adminToken: string;
  kubeconfigPath: string;
  dir: string;
  bins: Binaries;
  /** The Prow config plank runs with. */
  prow: { configPath: string; jobConfigPath: string };
}

export const SHARED_ENV_VAR = 'CI_STACK_KUBE_ENV';

/** The environment the global setup started; fails clearly when a suite runs without it. */
export function sharedKubeEnv(): SharedKubeEnv & { kubeConfig: KubeConfig } {
  const raw = process.env[SHARED_ENV_VAR];
  if (!raw) throw new Error(`${SHARED_ENV_VAR} is not set: run integration suites with \`npm run test:integration\`, whose global setup starts the environment`);
  const shared = JSON.parse(raw) as SharedKubeEnv;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(shared.kubeconfigPath);
  return { ...shared, kubeConfig };
}

export async function allBinaries(): Promise<Binaries> {
  return (await ensureBinaries(['etcd', 'kube-apiserver', 'prow', 'helm'])) as Binaries;
}
