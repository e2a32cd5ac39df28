// The integration tier: suites against a real kube-apiserver, etcd, Prow plank/mkpj and helm, which the
// harness builds from Go modules (cached) and starts on loopback. Run with `npm run test:integration`.
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  roots: ['<rootDir>/tests/integration', '<rootDir>/libs', '<rootDir>/apps', '<rootDir>/charts'],
  testMatch: ['**/*.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 900_000,
  maxWorkers: 1,
};
