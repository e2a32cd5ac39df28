// The integration tier: suites against a real kube-apiserver, etcd, Prow plank/mkpj and helm, which the
// harness builds from Go modules (cached) and starts on loopback. Run with `npm run test:integration`.
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  roots: ['<rootDir>/tests/integration'],
  testMatch: ['**/*.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 900_000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/tools/kube-env/jest/global-setup.cjs',
  globalTeardown: '<rootDir>/tools/kube-env/jest/global-teardown.cjs',
};
