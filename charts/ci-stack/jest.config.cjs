// Renders the chart with the real helm binary (built from Go modules by tools/kube-env, cached).
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'chart', rootDir: __dirname, testTimeout: 60_000 };
