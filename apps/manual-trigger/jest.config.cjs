module.exports = { ...require('../../jest.preset.cjs'), displayName: 'manual-trigger', rootDir: __dirname };
