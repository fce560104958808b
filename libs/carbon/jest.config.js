module.exports = { ...require('../../jest.preset.js'), displayName: 'carbon', rootDir: __dirname };
