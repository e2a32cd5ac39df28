module.exports = { ...require('../../jest.preset.cjs'), displayName: 'prowjob-api', rootDir: __dirname };
