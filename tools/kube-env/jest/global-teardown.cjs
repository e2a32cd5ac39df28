// Stops what the global setup started (it left the environment on globalThis of this same process).
module.exports = async function globalTeardown() {
  await globalThis.__kubeEnv?.stop();
};
