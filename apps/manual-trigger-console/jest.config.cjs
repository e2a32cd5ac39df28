module.exports = { ...require('../../jest.preset.cjs'), displayName: 'manual-trigger-console', rootDir: __dirname };
