module.exports = { ...require('../../jest.preset.cjs'), displayName: 'manual-trigger-api', rootDir: __dirname };
