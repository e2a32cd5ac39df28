module.exports = { ...require('../../jest.preset.cjs'), displayName: 'prow-config', rootDir: __dirname };
