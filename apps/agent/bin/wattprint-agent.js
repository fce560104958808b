#!/usr/bin/env node
// Shim for `npx wattprint-agent`: the agent is built to ../dist (npx tsc -b apps/agent/tsconfig.lib.json).
'use strict';
const path = require('node:path');
let main;
try {
  ({ main } = require(path.join(__dirname, '../dist/main.js')));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('wattprint-agent is not built: run `npx tsc -b apps/agent/tsconfig.lib.json` first\n');
    process.exit(1);
  }
  throw error;
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(error && error.name === 'ConfigError' ? `${error.message}\n` : `${(error && error.stack) || error}\n`);
    process.exit(error && error.name === 'ConfigError' ? 2 : 1);
  },
);
