// The browser tier: both services run from their bundles (with their built consoles) on loopback, and Debian's
// Chromium, driven by playwright-core, uses the consoles as a person would. Run with `npx nx test browser-tests`.
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'browser',
  rootDir: __dirname,
  testMatch: ['**/*.browser.spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/global-setup.cjs',
  globalTeardown: '<rootDir>/global-teardown.cjs',
};
