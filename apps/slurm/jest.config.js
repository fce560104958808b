module.exports = { ...require('../../jest.preset.js'), displayName: 'slurm', rootDir: __dirname };
