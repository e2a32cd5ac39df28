// Stops what the global setup started (it left the environment on globalThis of this same process).
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  await globalThis.__kubeEnv?.stop();
  if (globalThis.__kubeEnvBundleDir) rmSync(globalThis.__kubeEnvBundleDir, { recursive: true, force: true });
};
