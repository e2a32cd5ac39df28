// Jest loads global setup outside its module mapper, so the workspace aliases (@ci-stack/*) would not resolve:
// bundle the TypeScript setup with esbuild (which reads tsconfig paths) and run the bundle.
const { buildSync } = require('esbuild');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const outfile = path.join(root, 'dist', 'tools', 'kube-env', 'jest-global-setup.js');
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

module.exports = require(outfile).default;
