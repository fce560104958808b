#!/usr/bin/env node
// Shim for `npx wattprint-agent`: the agent is built to ../dist (npx tsc -b apps/agent/tsconfig.lib.json).
'use strict';
const { main } = require('../dist/main.js');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(error && error.name === 'ConfigError' ? `${error.message}\n` : `${(error && error.stack) || error}\n`);
    process.exit(error && error.name === 'ConfigError' ? 2 : 1);
  },
);
