module.exports = { ...require('../../jest.preset.cjs'), displayName: 'console-kit', rootDir: __dirname };
