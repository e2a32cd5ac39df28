module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cimaster', rootDir: __dirname };
