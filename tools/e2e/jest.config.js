// The fault suite starts real processes (redis-server, two collectors, three agents) and replays about
// a minute of traces through them; the timeout leaves room for a slow shared machine.
module.exports = { ...require('../../jest.preset.js'), displayName: 'e2e', rootDir: __dirname, testTimeout: 240_000 };
