module.exports = { ...require('../../jest.preset.cjs'), displayName: 'kube', rootDir: __dirname };
