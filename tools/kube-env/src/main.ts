// Starts the integration environment by hand: etcd, kube-apiserver with the ProwJob CRD and, with
// --prow-config-path/--job-config-path, plank. Prints the kubeconfig path and runs until Ctrl-C.
import { parseArgs } from 'node:util';
import { startKubeEnv } from './kube-env';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'config-path': { type: 'string' },
      'job-config-path': { type: 'string' },
      namespace: { type: 'string', multiple: true, default: ['prow', 'test-pods', 'ci'] },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run kube-env -- [--config-path FILE --job-config-path DIR] [--namespace NS ...]\n');
    return;
  }
  const started = Date.now();
  const plank = values['config-path'] && values['job-config-path'] ? { configPath: values['config-path'], jobConfigPath: values['job-config-path'] } : undefined;
  const env = await startKubeEnv({ namespaces: values.namespace, plank });
  process.stdout.write(`kube-env ready in ${Date.now() - started} ms\n  server:     ${env.server}\n  kubeconfig: ${env.kubeconfigPath}\n  plank:      ${plank ? 'running' : 'not started'}\nCtrl-C stops everything.\n`);
  // First Ctrl-C stops everything in order; a second one exits at once (the exit hook kills what is left).
  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(130);
    stopping = true;
    void env.stop().then(() => process.exit(0));
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
