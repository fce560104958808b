module.exports = { ...require('../../jest.preset.js'), displayName: 'quickstart', rootDir: __dirname };
