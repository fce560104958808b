// The fault suite starts real processes (redis-server, two collectors, three agents) and replays about
// a minute of traces through them; the timeout leaves room for a slow shared machine.
const path = require('node:path');
const preset = require('../../jest.preset.js');

const root = path.join(__dirname, '..', '..');

module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 240_000,
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@wattprint/sim$': path.join(root, 'tools/sim/src/index.ts'),
    '^@wattprint/traces$': path.join(root, 'tools/traces/src/index.ts'),
  },
};
