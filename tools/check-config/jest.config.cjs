module.exports = { ...require('../../jest.preset.cjs'), displayName: 'check-config', rootDir: __dirname };
