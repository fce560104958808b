// The hook tests run the shell wrappers and Slurm's own scontrol as processes; on a loaded machine a
// test of several runs takes seconds.
module.exports = { ...require('../../jest.preset.js'), displayName: 'slurm', rootDir: __dirname, testTimeout: 30_000 };
