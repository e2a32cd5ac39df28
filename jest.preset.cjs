// Shared Jest settings: TypeScript through ts-jest (transpile only; `typecheck` does the type checking),
// workspace aliases from tsconfig.base.json, the ESM-only Kubernetes client transformed to CommonJS, and shell
// scripts imported as text (as the bundles' esbuild `text` loader does).
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, '\\$&')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[cm]?[tj]s$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
    '^.+\\.sh$': path.join(__dirname, 'tools/scripts/jest-text-transform.cjs'),
  },
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'sh'],
  moduleNameMapper,
  testMatch: ['**/*.spec.ts'],
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.int\\.spec\\.ts$'],
};
