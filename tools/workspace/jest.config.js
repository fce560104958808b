// Checks of the workspace as a whole: the boundary rules bite, every lib is wired everywhere, and every
// command in README.md and docs/ runs as written.
module.exports = { ...require('../../jest.preset.js'), displayName: 'workspace', rootDir: __dirname, testTimeout: 120_000 };
