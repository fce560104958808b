module.exports = { ...require('../../jest.preset.js'), displayName: 'estimation', rootDir: __dirname };
