// Global setup of the integration tier: builds what the cache lacks, builds both services as they
// ship, and starts one environment (etcd, kube-apiserver, ProwJob CRD, plank) for every suite.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { SHARED_ENV_VAR, type SharedKubeEnv, allBinaries } from './jest-env';
import { type KubeEnv, startKubeEnv } from './kube-env';

const ROOT = process.env.CI_STACK_ROOT ?? resolve(__dirname, '..', '..', '..');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const bins = await allBinaries();
  for (const app of ['apps/manual-trigger', 'apps/cimaster']) {
    execFileSync('node', ['tools/scripts/build-app.mjs', app], { cwd: ROOT, stdio: 'inherit' });
    execFileSync('node', ['tools/scripts/build-console.mjs', `${app}-console`, `dist/${app}/ui`], { cwd: ROOT, stdio: 'inherit' }); // as the images ship it
  }
  const prow = { configPath: resolve(ROOT, 'examples/prow/config.yaml'), jobConfigPath: resolve(ROOT, 'examples/prow/jobs') };
  const env = await startKubeEnv({ namespaces: ['prow', 'test-pods', 'ci'], plank: prow });
  (globalThis as { __kubeEnv?: KubeEnv }).__kubeEnv = env;
  const shared: SharedKubeEnv = { server: env.server, adminToken: env.adminToken, kubeconfigPath: env.kubeconfigPath, dir: env.dir, bins, prow };
  process.env[SHARED_ENV_VAR] = JSON.stringify(shared);
  process.stderr.write(`\nkube-env: ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${env.server}\n`);
}
