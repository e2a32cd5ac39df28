module.exports = { ...require('../../jest.preset.cjs'), displayName: 'prowjob-client', rootDir: __dirname };
