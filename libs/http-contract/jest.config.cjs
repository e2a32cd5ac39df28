module.exports = { ...require('../../jest.preset.cjs'), displayName: 'http-contract', rootDir: __dirname };
