module.exports = { ...require('../../jest.preset.cjs'), displayName: 'pool', rootDir: __dirname };
