// Specs are type-checked by `tsc -p tools/traces/tsconfig.spec.json`; jest only transpiles them.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'traces',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: `${__dirname}/tsconfig.spec.json` }] },
};
