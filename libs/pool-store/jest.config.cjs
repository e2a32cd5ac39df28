module.exports = { ...require('../../jest.preset.cjs'), displayName: 'pool-store', rootDir: __dirname };
