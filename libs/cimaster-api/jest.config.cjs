module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cimaster-api', rootDir: __dirname };
