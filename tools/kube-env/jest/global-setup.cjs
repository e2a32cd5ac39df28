// Jest loads global setup outside its module mapper, so the workspace aliases (@ci-stack/*) would not resolve:
// bundle the TypeScript setup with esbuild (which reads tsconfig paths) and run the bundle.
const { buildSync } = require('esbuild');
const { mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
// Its own file per run, so parallel runs never load each other's half-written bundle.
const bundleDir = mkdtempSync(path.join(os.tmpdir(), 'kube-env-setup-'));
globalThis.__kubeEnvBundleDir = bundleDir; // removed by the global teardown
const outfile = path.join(bundleDir, 'jest-global-setup.js');
buildSync({
  entryPoints: [path.join(__dirname, '..', 'src', 'jest-global-setup.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  logLevel: 'warning',
});

// The bundle lives in a temp dir: tell it where the repository is.
process.env.CI_STACK_ROOT = root;
module.exports = require(outfile).default;
