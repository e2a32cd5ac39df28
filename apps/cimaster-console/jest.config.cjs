module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cimaster-console', rootDir: __dirname };
