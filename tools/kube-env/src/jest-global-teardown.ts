import type { KubeEnv } from './kube-env';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __kubeEnv?: KubeEnv }).__kubeEnv?.stop();
}
